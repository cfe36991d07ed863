"""A monthly payroll run for 1,000,000 entitled children, on SQLite and on PostgreSQL.

Target (issue 4): "a monthly run for 1,000,000 entitled children (computation, persistence,
export) on SQLite and on PostgreSQL: wall time, peak memory, and the ratio to the plain
INSERT ... SELECT that a database expert would write (the limit), in the same run. Target: within
2x of that limit, and at least 20x faster than the naive loop over ORM objects."

The data set, built once per engine and size and reused while its marker matches (same size,
same migrations, same builder): N children (persons and archives), each entitled to orphan-home
from the month before the run's month, with one payee whose account is really encrypted, and one
standard; the previous month is already paid (a closed run of N lines, computed by the services
when the data set is built), so the run checks what was paid, as every run but the first does.
Rows are made by INSERT ... SELECT over a numbers CTE, payees by executemany (SQLite) or COPY
(PostgreSQL) because each account is encrypted in Python. It lives in its own database:
bench/.data/payroll-sqlite-<N>/ and the PostgreSQL database huhang_bench (server from
HUHANG_BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres; skipped with a
message when unreachable).

Measured, each in a process of its own (so that its peak RSS is its own), interleaved:

- ours:   services.run_create + run_compute for the month (one INSERT ... SELECT with arrears,
          suspensions and the payee choice, through the triggers and foreign keys, audited),
          then run_approve (by a second officer) — reported apart;
- export: bankfile.export_run(fmt="csv", encoding="gb18030") of the approved run (every account
          decrypted) — or, without huhang.benefits.bankfile, the plain streaming below, said so;
- limit:  one hand-written INSERT ... SELECT of the same lines (entitled, unsuspended children ×
          the month's standard, current payee; no arrears logic) into a copy of the lines table
          holding the same rows, with the same indexes and checks but no triggers and no foreign
          keys, on the same engine and connection settings; and for the export, one SELECT
          streamed through csv with the same decryption (no ORM);
- naive:  the loop over ORM objects a newcomer would write (per entitlement: find the standard,
          check nothing is paid, find the payee, PayrollLine(...).save()), in one transaction, on
          --naive children, extrapolated linearly to N and reported as such.

    python -m bench --only payroll --size district     # 1,000,000 (small 10k, demo 100k)
    python -m bench.payroll --size 1000000 --engine both --repeat 3 --naive 10000
    python -m bench.payroll --drop                     # remove the data sets
"""

from __future__ import annotations

import argparse
import base64
import csv
import gc
import io
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.registry import Context, Result, benchmark, result

BENCH_DIR = Path(__file__).resolve().parent
DATA_ROOT = BENCH_DIR / ".data"
DATABASE = "huhang.sqlite3"
RESULTS = DATA_ROOT / "payroll-results.json"

SIZES = {"small": 10_000, "demo": 100_000, "district": 1_000_000, "large": 1_000_000}
ENGINES = ("sqlite", "postgresql")
NAIVE = 10_000
REPEAT = 3
TARGET_RATIO = 2.0
TARGET_SPEEDUP = 20.0

PROGRAMME = "orphan-home"
RUN_MONTH = date(2026, 3, 1)
HISTORY_MONTH = date(2026, 2, 1)  # already paid when the data set is built
STANDARD_FROM = date(2025, 1, 1)
AMOUNT_FEN = 150_000
PAYEES_FROM = date(2025, 12, 1)
LIMIT_RUN_ID = 999_999  # the scratch table has no foreign keys: any run number will do
LIMIT_TABLE = "bench_limit_lines"
MARKER_TABLE = "bench_payroll_marker"
BUILD_VERSION = 1  # bump when the data set changes shape
TZ = ZoneInfo("Asia/Shanghai")
# A fixed key (bench data only): Fernet wants 32 url-safe base64-encoded bytes.
FIELD_KEY = base64.urlsafe_b64encode(b"huhang bench payroll field key!!").decode()
PG_SERVER = os.environ.get("HUHANG_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "huhang_bench"
BANKS = (
    ("中国工商银行包头昆都仑支行", "622202"),
    ("中国农业银行包头昆区支行", "622848"),
    ("中国建设银行包头钢铁大街支行", "621700"),
    ("中国邮政储蓄银行包头市昆都仑区支行", "621799"),
    ("包头农村商业银行昆区支行", "621392"),
)
COLUMNS = (
    "run_id, seq, child_id, programme_id, for_month, standard_id, amount_fen,"
    " payee_name, payee_bank, payee_account_cipher, payee_account_last4, status, failure_reason"
)


def log(message: str) -> None:
    print(message, flush=True)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# =================================================================================================
# The orchestrator: data sets, worker processes, figures (no Django in this process)
# =================================================================================================


def _pg_url(database: str) -> str:
    return PG_SERVER.rsplit("/", 1)[0] + "/" + database


def _migrations_digest() -> str:
    from bench import dataset

    pkg = dataset._package_dir()
    import django

    paths = list(pkg.glob("*/migrations/*.py"))
    return dataset._digest(paths, pkg, f"django={django.__version__}")


class Engine:
    """Where one engine's data set lives, how to reach it, how to (re)build it."""

    def __init__(self, name: str, size: int) -> None:
        self.name, self.size = name, size

    @property
    def data_dir(self) -> Path:
        if self.name == "sqlite":
            return DATA_ROOT / f"payroll-sqlite-{self.size}"
        return DATA_ROOT / "payroll-postgresql"

    def env(self, *, building: bool = False) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        data_dir = self.data_dir
        if building and self.name == "sqlite":
            data_dir = data_dir.with_name(data_dir.name + ".building")
        env.update(
            DJANGO_SETTINGS_MODULE="huhang.settings",
            HUHANG_DEBUG="0",
            HUHANG_DATA_DIR=str(data_dir),
            HUHANG_FIELD_KEY=FIELD_KEY,
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(BENCH_DIR.parent), env.get("PYTHONPATH")])
            ),
        )
        if self.name == "postgresql":
            name = PG_DATABASE + ("_building" if building else "")
            env["DATABASE_URL"] = _pg_url(name)
        return env

    def available(self) -> str | None:
        """None when usable, else why not."""
        if self.name == "sqlite":
            return None
        try:
            import psycopg

            with psycopg.connect(PG_SERVER, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # any failure to connect means: skip PostgreSQL
            return f"PostgreSQL not reachable at {PG_SERVER} ({exc.__class__.__name__}: {exc})"
        return None

    def wanted(self, history: bool) -> dict[str, Any]:
        return {
            "size": self.size,
            "history": history,
            "build": BUILD_VERSION,
            "migrations": _migrations_digest(),
        }

    def stored(self) -> dict[str, Any] | None:
        try:
            if self.name == "sqlite":
                path = self.data_dir / DATABASE
                if not path.exists():
                    return None
                with sqlite3.connect(path) as conn:
                    row = conn.execute(f"SELECT info FROM {MARKER_TABLE}").fetchone()
            else:
                import psycopg

                with psycopg.connect(_pg_url(PG_DATABASE), connect_timeout=3) as conn:
                    row = conn.execute(f"SELECT info FROM {MARKER_TABLE}").fetchone()
        except Exception:  # no database, no marker table: not built
            return None
        return json.loads(row[0]) if row else None

    def prepare(self, *, history: bool, rebuild: bool) -> dict[str, Any]:
        wanted = self.wanted(history)
        stored = self.stored()
        if not rebuild and stored and all(stored.get(k) == v for k, v in wanted.items()):
            log(
                f"  reusing the {self.name} data set ({self.size:,} children, built {stored['built_at']})"
            )
            return stored
        log(f"  building the {self.name} data set ({self.size:,} children)...")
        started = time.perf_counter()
        self._create_empty()
        env = self.env(building=True)
        _run_child(["-m", "huhang.cli", "migrate", "--no-input", "--verbosity", "0"], env)
        built = _worker("build", self, env=env, history=history)
        info = {
            **wanted,
            **built,
            "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        _worker("mark", self, env=env, marker=json.dumps(info))
        self._put_in_place()
        log(f"  data set ready in {info['build_seconds']:.0f} s")
        return info

    def _create_empty(self) -> None:
        if self.name == "sqlite":
            building = self.data_dir.with_name(self.data_dir.name + ".building")
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        import psycopg

        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}_building WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DATABASE}_building")

    def _put_in_place(self) -> None:
        if self.name == "sqlite":
            building = self.data_dir.with_name(self.data_dir.name + ".building")
            shutil.rmtree(self.data_dir, ignore_errors=True)
            building.rename(self.data_dir)
            return
        import psycopg

        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            conn.execute(f"ALTER DATABASE {PG_DATABASE}_building RENAME TO {PG_DATABASE}")

    def drop(self) -> None:
        if self.name == "sqlite":
            for path in DATA_ROOT.glob("payroll-sqlite-*"):
                shutil.rmtree(path, ignore_errors=True)
                log(f"bench: removed {path}")
            return
        if self.available() is None:
            import psycopg

            with psycopg.connect(PG_SERVER, autocommit=True) as conn:
                for name in (PG_DATABASE, PG_DATABASE + "_building"):
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            log(f"bench: dropped the PostgreSQL databases {PG_DATABASE}(_building)")
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _run_child(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, *argv], env=env, cwd=BENCH_DIR.parent, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: `python {' '.join(argv)}` failed ({done.returncode})")


def _worker(phase: str, engine: Engine, *, env: dict[str, str] | None = None, **options) -> dict:
    """Run one phase in a fresh process; returns what it measured."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    argv = ["-m", "bench.payroll", "--worker", phase, "--size", str(engine.size)]
    argv += ["--result-file", str(out)]
    for key, value in options.items():
        value = int(value) if isinstance(value, bool) else value
        argv += [f"--{key.replace('_', '-')}", str(value)]
    try:
        _run_child(argv, env or engine.env())
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def measure_engine(
    engine: Engine, *, repeat: int, naive: int, history: bool = True, rebuild: bool = False
) -> list[Result]:
    """Every figure of one engine; an unusable engine gives no figures and says why."""
    why = engine.available()
    if why:
        log(f"  SKIPPED {engine.name}: {why}")
        return []
    info = engine.prepare(history=history, rebuild=rebuild)
    n = engine.size
    rows: list[dict[str, Any]] = []
    for i in range(repeat):
        ours = _worker("ours", engine)
        export = _worker("export", engine)
        limit = _worker("limit", engine, check=int(i == 0))
        export_limit = _worker("export-limit", engine)
        in_table = _worker("limit-table", engine)
        rows.append(
            {
                "ours": ours,
                "export": export,
                "limit": limit,
                "export_limit": export_limit,
                "limit_table": in_table,
            }
        )
        log(
            f"  [{i + 1}/{repeat}] ours {ours['compute_s']:7.2f} s (+ approve"
            f" {ours['approve_s']:.2f} s)  limit {limit['insert_s']:7.2f} s"
            f" (into the lines table {in_table['insert_s']:.2f} s)"
            f"   export {export['export_s']:7.2f} s  limit {export_limit['export_s']:7.2f} s"
            + (f"   same lines: {limit['same_lines']}" if "same_lines" in limit else "")
        )
        if limit.get("same_lines") is False:
            raise SystemExit("bench: the limit's lines differ from the application's")
    loop = _worker("naive", engine, naive=min(naive, n))
    log(
        f"  naive ORM loop: {loop['lines']:,} lines in {loop['naive_s']:.2f} s"
        f" → {loop['naive_s'] * n / loop['lines']:,.0f} s for {n:,} (extrapolated)"
    )
    return _figures(engine, info, rows, loop)


def _median(rows: list[dict], phase: str, key: str) -> float:
    return statistics.median(r[phase][key] for r in rows)


def _peak(rows: list[dict], phase: str) -> float:
    return max(r[phase]["rss_mib"] for r in rows)


def _growth(rows: list[dict], phase: str) -> float:
    return max(r[phase]["rss_mib"] - r[phase]["rss_start_mib"] for r in rows)


def _figures(engine: Engine, info: dict, rows: list[dict], loop: dict) -> list[Result]:
    n = engine.size
    name = f"payroll.{engine.name}.{n}"
    compute = _median(rows, "ours", "compute_s")
    approve = _median(rows, "ours", "approve_s")
    export = _median(rows, "export", "export_s")
    insert = _median(rows, "limit", "insert_s")
    in_table = _median(rows, "limit_table", "insert_s")
    export_floor = _median(rows, "export_limit", "export_s")
    total = statistics.median(
        r["ours"]["compute_s"] + r["ours"]["approve_s"] + r["export"]["export_s"] for r in rows
    )
    floor = statistics.median(r["limit"]["insert_s"] + r["export_limit"]["export_s"] for r in rows)
    naive_n = loop["naive_s"] * n / loop["lines"]
    kind = rows[0]["export"]["kind"]
    figures = [
        result(f"{name}.compute", compute, "s", insert),
        result(f"{name}.approve", approve, "s", None),
        result(f"{name}.export_csv_gb18030", export, "s", export_floor),
        result(f"{name}.run_total", total, "s", floor),
        # The breakdown: the limit's statement into the real lines table (triggers, foreign
        # keys) against the limit, and ours against that.
        result(f"{name}.limit_in_lines_table", in_table, "s", insert),
        result(f"{name}.compute_vs_limit_in_lines_table", compute, "s", in_table),
        result(f"{name}.compute_vs_naive_extrapolated", compute, "s", naive_n),
        result(f"{name}.naive_{loop['lines']}_measured", loop["naive_s"], "s", None),
        # Peak RSS of the worker process (the application's imports alone take ≈110 MiB: the
        # pinyin dictionaries), and its growth during the phase, next to the limit's.
        result(f"{name}.compute.peak_rss", _peak(rows, "ours"), "MiB", None),
        result(f"{name}.compute.rss_growth", _growth(rows, "ours"), "MiB", _growth(rows, "limit")),
        result(f"{name}.export.peak_rss", _peak(rows, "export"), "MiB", None),
        result(
            f"{name}.export.rss_growth",
            _growth(rows, "export"),
            "MiB",
            _growth(rows, "export_limit"),
        ),
        result(f"{name}.naive.peak_rss", loop["rss_mib"], "MiB", None),
        result(f"{name}.lines_per_s", n / compute, "1/s", None),
    ]
    ratio, speedup = compute / insert, naive_n / compute
    log(
        f"  {engine.name}: compute {compute:.2f} s = {ratio:.2f}× the limit"
        f" ({'ok' if ratio <= TARGET_RATIO else f'OVER {TARGET_RATIO:.0f}×'}),"
        f" {speedup:,.0f}× faster than the naive loop"
        f" ({'ok' if speedup >= TARGET_SPEEDUP else f'UNDER {TARGET_SPEEDUP:.0f}×'});"
        f" whole run {total:.2f} s = {total / floor:.2f}× (limit {floor:.2f} s);"
        f" export: {kind}; data set built in {info.get('build_seconds', '?')} s"
    )
    return figures


@benchmark(
    "payroll",
    description="a monthly payroll run for N entitled children, SQLite and PostgreSQL",
    needs_data=False,
)
def payroll(ctx: Context) -> list[Result]:
    size = SIZES[ctx.size]
    repeat = max(1, min(ctx.repeat, REPEAT))
    results: list[Result] = []
    for name in ENGINES:
        ctx.log(f"  {name}, {size:,} children, {repeat} repetitions")
        results += measure_engine(Engine(name, size), repeat=repeat, naive=NAIVE)
    return results


# =================================================================================================
# The workers (Django set up on the engine's database)
# =================================================================================================


def _setup() -> None:
    import django

    django.setup()


def _people():
    from huhang.accounts.models import User
    from huhang.benefits.models import Programme

    users = {u.username: u for u in User.objects.filter(username__in=("bureau", "bureau2"))}
    return users["bureau"], users["bureau2"], Programme.objects.get(code=PROGRAMME)


def _adapt(value):
    from django.db import connection

    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _sql_people(vendor: str) -> tuple[str, str]:
    """INSERT ... SELECT of N persons and their children's archives over a numbers CTE."""
    if vendor == "sqlite":
        numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %(n)s)"
        birth = "date(%(born)s, '+' || (n.i %% 5000) || ' days')"
        digits = "strftime('%%Y%%m%%d', b.birth) || printf('%%03d', (b.i / 5000) %% 1000)"
    else:
        numbers = "WITH n(i) AS (SELECT generate_series(1, %(n)s))"
        birth = "(CAST(%(born)s AS date) + (n.i %% 5000))"
        digits = "to_char(b.birth, 'YYYYMMDD') || lpad(((b.i / 5000) %% 1000)::text, 3, '0')"
    persons = f"""
        INSERT INTO registry_person (id, name, name_key, id_number, id_index, id_last, sex,
                                     birth_date, ethnicity, phone, hukou_code, version,
                                     created_at, household_id)
        {numbers}, b(i, birth) AS (SELECT n.i, {birth} FROM n)
        SELECT b.i, '儿童' || b.i, 'ertong' || b.i, '150203' || {digits} || '0',
               'pending' || b.i, '', CASE WHEN b.i %% 2 = 1 THEN 'M' ELSE 'F' END, b.birth,
               '汉族', '', '', 1, %(at)s, NULL
        FROM b"""
    children = """
        INSERT INTO registry_child (id, address, living, school, school_stage, health, notes,
                                    status, registered_at, version, division_id,
                                    registered_by_id, person_id, search_birth, search_id,
                                    search_last, search_name)
        SELECT p.id, '', 'home', '', '', '', '', 'active', %(at)s, 1, %(division)s, NULL, p.id,
               p.birth_date, p.id_index, p.id_last, p.name_key
        FROM registry_person p WHERE p.id <= %(n)s ORDER BY p.id"""
    return persons, children


def _encrypt_ids(cursor) -> None:
    """The persons' ID numbers as the application stores them (core.crypto): ciphertext, blind
    index and last digits, written over the clear numbers the SQL above generated."""
    from huhang.core import crypto

    cursor.execute("SELECT id, id_number FROM registry_person WHERE id_number IS NOT NULL")
    rows = cursor.fetchall()
    cursor.executemany(
        "UPDATE registry_person SET id_number = %s, id_index = %s, id_last = %s WHERE id = %s",
        [(crypto.encrypt_id(n), crypto.blind_index(n), n[-6:], pk) for pk, n in rows],
    )


def phase_build(size: int, history: bool) -> dict:
    """The data set: divisions, two bureau officers, the standard, N persons, children,
    entitlements and payees, then (history) last month's run computed, approved, exported,
    reconciled and closed."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from huhang.accounts.models import User
    from huhang.benefits.models import Standard
    from huhang.benefits.payroll import services
    from huhang.core import crypto
    from huhang.core.roles import Role
    from huhang.regions.models import Division, Kind, Level
    from huhang.registry.models import Child, Person

    started = time.perf_counter()
    at = datetime(2026, 1, 15, 10, 0, tzinfo=TZ)
    with transaction.atomic():
        district = Division.objects.create(
            code="150203", name="昆都仑区", level=Level.DISTRICT, kind=Kind.DISTRICT
        )
        street = Division.objects.create(
            code="150203005",
            name="友谊大街街道",
            level=Level.STREET,
            kind=Kind.STREET,
            parent=district,
        )
        community = Division.objects.create(
            code="150203005001",
            name="友谊一社区",
            level=Level.COMMUNITY,
            kind=Kind.COMMUNITY,
            parent=street,
        )
        for username, first in (("bureau", "敏"), ("bureau2", "立新")):
            user = User(username=username, role=Role.BUREAU, division=district, first_name=first)
            user.set_unusable_password()
            user.save()
        Standard.objects.create(
            programme_id=PROGRAMME,
            effective_from=STANDARD_FROM,
            amount_fen=AMOUNT_FEN,
            note="基准数据",
        )
    persons, children = _sql_people(connection.vendor)
    params = {"n": size, "born": _adapt(date(2008, 6, 1)), "at": _adapt(at)}
    timings = {}
    with transaction.atomic(), connection.cursor() as cursor:
        t = time.perf_counter()
        cursor.execute(persons, params)
        timings["persons_s"] = time.perf_counter() - t
        log(f"    persons: {size:,} in {timings['persons_s']:.1f} s")
        t = time.perf_counter()
        _encrypt_ids(cursor)
        timings["encrypt_ids_s"] = time.perf_counter() - t
        log(f"    ID numbers encrypted: {size:,} in {timings['encrypt_ids_s']:.1f} s")
        t = time.perf_counter()
        cursor.execute(children, {**params, "division": community.code})
        timings["children_s"] = time.perf_counter() - t
        log(f"    children: {size:,} in {timings['children_s']:.1f} s")
        t = time.perf_counter()
        cursor.execute(
            "INSERT INTO benefits_entitlement (starts_on, ends_on, basis, created_at,"
            " assignment_id, child_id, created_by_id, programme_id)"
            " SELECT %(starts)s, NULL, '', %(at)s, NULL, c.id, NULL, %(programme)s"
            " FROM registry_child c ORDER BY c.id",
            {"starts": _adapt(HISTORY_MONTH), "at": _adapt(at), "programme": PROGRAMME},
        )
        timings["entitlements_s"] = time.perf_counter() - t
        log(f"    entitlements: {size:,} in {timings['entitlements_s']:.1f} s")
        t = time.perf_counter()
        _payees(cursor, size, crypto.encrypt, at)
        timings["payees_s"] = time.perf_counter() - t
        log(f"    payees (each account encrypted): {size:,} in {timings['payees_s']:.1f} s")
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person, Child]):
            cursor.execute(sql)
    _analyze()
    if history:
        bureau, bureau2, programme = _people()
        t = time.perf_counter()
        run = services.run_create(by=bureau, programme=programme, month=HISTORY_MONTH)
        services.run_compute(by=bureau, run=run, today=HISTORY_MONTH + timedelta(days=2))
        timings["history_compute_s"] = time.perf_counter() - t
        log(
            f"    last month's run (no month paid before): {run.line_count:,} lines computed"
            f" in {timings['history_compute_s']:.1f} s"
        )
        services.run_approve(by=bureau2, run=run)
        services.run_mark_exported(by=bureau, run=run, fmt="csv")
        results = {line_id: (True, "") for line_id in _line_ids(run)}
        services.run_apply_results(by=bureau, run=run, results=results)
        services.run_close(by=bureau, run=run)
        _analyze()
    timings = {k: round(v, 1) for k, v in timings.items()}
    return {**timings, "build_worker_s": round(time.perf_counter() - started, 1)}


def _line_ids(run) -> list[str]:
    from huhang.benefits.models import PayrollLine

    seqs = PayrollLine.objects.filter(run=run).values_list("seq", flat=True)
    return [f"{run.pk:06d}-{seq:07d}" for seq in seqs.iterator(chunk_size=50_000)]


def _payees(cursor, size: int, encrypt, at: datetime) -> None:
    from django.db import connection

    columns = (
        "name, relation, bank, account_cipher, account_last4, valid_from, created_at,"
        " child_id, created_by_id"
    )
    valid_from, created = _adapt(PAYEES_FROM), _adapt(at)

    def rows(start: int, stop: int):
        for i in range(start, stop):
            bank, bin_ = BANKS[i % len(BANKS)]
            body = f"{bin_}{i:012d}"
            account = body + _luhn(body)
            yield (
                f"监护人{i}",
                "祖母",
                bank,
                encrypt(account),
                account[-4:],
                valid_from,
                created,
                i,
                None,
            )

    chunk = 50_000
    for start in range(1, size + 1, chunk):
        stop = min(start + chunk, size + 1)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY benefits_payee ({columns}) FROM STDIN") as copy:
                for row in rows(start, stop):
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 9)
            cursor.executemany(
                f"INSERT INTO benefits_payee ({columns}) VALUES ({marks})", list(rows(start, stop))
            )


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            cursor.execute("VACUUM ANALYZE")


def phase_mark(marker: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER_TABLE} (info text NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (info) VALUES (%s)", [marker])
    return {}


def _reset() -> None:
    """Remove this month's runs and lines (untimed), whatever state a previous phase left them
    in: back to draft first, since the database refuses to delete an approved run's lines."""
    from django.db import connection

    from huhang.benefits.models import PayrollRun

    runs = list(
        PayrollRun.objects.filter(programme_id=PROGRAMME, month=RUN_MONTH).values_list(
            "pk", flat=True
        )
    )
    if not runs:
        return
    with connection.cursor() as cursor:
        for pk in runs:
            cursor.execute(
                "UPDATE benefits_payrollrun SET status = 'draft', approved_by_id = NULL,"
                " approved_at = NULL WHERE id = %s",
                [pk],
            )
            cursor.execute("DELETE FROM benefits_payrollline WHERE run_id = %s", [pk])
            cursor.execute("DELETE FROM benefits_payrollrun WHERE id = %s", [pk])
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM benefits_payrollline")


def phase_ours(size: int) -> dict:
    from huhang.benefits.payroll import services

    bureau, bureau2, programme = _people()
    _reset()
    rss_start = _rss_mib()
    gc.collect()
    started = time.perf_counter()
    run = services.run_create(by=bureau, programme=programme, month=RUN_MONTH)
    services.run_compute(by=bureau, run=run, today=RUN_MONTH + timedelta(days=2))
    computed = time.perf_counter()
    services.run_approve(by=bureau2, run=run)
    approved = time.perf_counter()
    if (run.line_count, run.total_fen) != (size, size * AMOUNT_FEN):
        raise SystemExit(f"bench: the run has {run.line_count} lines, {run.total_fen} fen")
    return {
        "compute_s": computed - started,
        "approve_s": approved - computed,
        "lines": run.line_count,
        "rss_mib": _rss_mib(),
        "rss_start_mib": rss_start,
    }


def _approved_run():
    from huhang.benefits.models import PayrollRun

    run = PayrollRun.objects.filter(programme_id=PROGRAMME, month=RUN_MONTH).first()
    if run is None or run.status not in ("approved", "exported"):
        raise SystemExit("bench: no approved run to export (run the `ours` phase first)")
    return run


def phase_export(size: int) -> dict:
    from huhang.benefits.payroll import services

    bureau, _bureau2, _programme = _people()
    run = _approved_run()
    rss_start = _rss_mib()
    path = Path(tempfile.mkdtemp(prefix="payroll-export-")) / "bank.csv"
    try:
        from huhang.benefits.payroll import bankfile

        export_run = bankfile.export_run
        kind = 'bankfile.export_run(fmt="csv", encoding="gb18030")'
    except (ImportError, AttributeError):
        export_run = None
        kind = "plain streaming of the lines (huhang.benefits.bankfile.export_run missing)"
    gc.collect()
    started = time.perf_counter()
    with open(path, "wb") as out:
        if export_run is not None:
            export_run(by=bureau, run=run, fmt="csv", out=out, encoding="gb18030")
        else:
            services.run_mark_exported(by=bureau, run=run, fmt="csv/gb18030")
            _stream_lines(run.pk, out)
    elapsed = time.perf_counter() - started
    size_bytes = path.stat().st_size
    shutil.rmtree(path.parent, ignore_errors=True)
    return {
        "export_s": elapsed,
        "bytes": size_bytes,
        "kind": kind,
        "rss_mib": _rss_mib(),
        "rss_start_mib": rss_start,
    }


def _stream_lines(run_id: int, out) -> int:
    """The floor of an export: one SELECT on the raw cursor, each account decrypted, csv rows
    written to a GB18030 text stream; the control total last."""
    from django.db import connection

    from huhang.benefits.payroll import bankfile
    from huhang.core import crypto

    text = io.TextIOWrapper(out, encoding="gb18030", newline="")
    writer = csv.writer(text)
    writer.writerow(bankfile.COLUMNS)
    count = total = 0
    decrypt = crypto.decrypt
    # A server-side cursor on PostgreSQL (rows arrive as they are read, like the ORM's
    # .iterator()); a plain one on SQLite, which steps through the rows anyway.
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            "SELECT l.seq, l.payee_name, l.payee_account_cipher, l.payee_bank, l.amount_fen,"
            " p.name, p.id_number, l.for_month, g.name"
            " FROM benefits_payrollline l JOIN registry_child c ON c.id = l.child_id"
            " JOIN registry_person p ON p.id = c.person_id"
            " JOIN benefits_programme g ON g.code = l.programme_id"
            " WHERE l.run_id = %s ORDER BY l.seq",
            [run_id],
        )
        while rows := cursor.fetchmany(5000):
            for seq, payee, cipher, bank, fen, child, id_number, month, programme in rows:
                month = month if isinstance(month, str) else month.isoformat()
                writer.writerow(
                    (
                        f"{run_id:06d}-{seq:07d}",
                        payee,
                        decrypt(cipher),
                        bank,
                        f"{fen // 100}.{fen % 100:02d}",
                        child,
                        id_number or "",
                        month[:7],
                        programme,
                    )
                )
                count += 1
                total += fen
    writer.writerow(("合计", "笔数", count, "合计金额", f"{total // 100}.{total % 100:02d}"))
    text.flush()
    text.detach()
    return count


def phase_export_limit(size: int) -> dict:
    run = _approved_run()
    rss_start = _rss_mib()
    path = Path(tempfile.mkdtemp(prefix="payroll-export-")) / "bank.csv"
    gc.collect()
    started = time.perf_counter()
    with open(path, "wb") as out:
        count = _stream_lines(run.pk, out)
    elapsed = time.perf_counter() - started
    shutil.rmtree(path.parent, ignore_errors=True)
    if count != size:
        raise SystemExit(f"bench: the plain export wrote {count} lines, not {size}")
    return {"export_s": elapsed, "rss_mib": _rss_mib(), "rss_start_mib": rss_start}


LIMIT_SQL = f"""
INSERT INTO {LIMIT_TABLE} ({COLUMNS})
SELECT %(run)s, ROW_NUMBER() OVER (ORDER BY e.child_id), e.child_id, %(programme)s, %(month)s,
       %(standard)s, %(amount)s, p.name, p.bank, p.account_cipher, p.account_last4, 'pending', ''
FROM benefits_entitlement e
JOIN benefits_payee p ON p.id = (
    SELECT p2.id FROM benefits_payee p2
    WHERE p2.child_id = e.child_id AND p2.valid_from <= %(today)s
    ORDER BY p2.valid_from DESC, p2.id DESC LIMIT 1)
WHERE e.programme_id = %(programme)s
  AND e.starts_on <= %(month)s AND (e.ends_on IS NULL OR e.ends_on >= %(month)s)
  AND NOT EXISTS (
    SELECT 1 FROM benefits_suspension su
    WHERE su.entitlement_id = e.id AND su.from_month <= %(month)s
      AND (su.to_month IS NULL OR su.to_month >= %(month)s))
"""


def _scratch_table(cursor, vendor: str) -> None:
    """A copy of the lines table with its rows (last month's), indexes and checks; no triggers,
    no foreign keys (what CREATE TABLE ... (LIKE ... INCLUDING ALL) gives on PostgreSQL)."""
    import re

    if vendor == "postgresql":
        cursor.execute(f"CREATE TABLE {LIMIT_TABLE} (LIKE benefits_payrollline INCLUDING ALL)")
    else:
        cursor.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'benefits_payrollline'"
            " AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type = 'index'"
        )
        for kind, sql in cursor.fetchall():
            sql = sql.replace('"benefits_payrollline"', f'"{LIMIT_TABLE}"')
            if kind == "table":
                sql = re.sub(r' REFERENCES "\w+" \("\w+"\) DEFERRABLE INITIALLY DEFERRED', "", sql)
            else:
                sql = re.sub(r'INDEX "(\w+)"', lambda m: f'INDEX "bench_{m[1]}"', sql)
            cursor.execute(sql)
    # Last month's lines (not this month's, which the application's run may hold just now).
    cursor.execute(
        f"INSERT INTO {LIMIT_TABLE} (id, {COLUMNS}) SELECT id, {COLUMNS}"
        " FROM benefits_payrollline WHERE for_month < %s ORDER BY id",
        [_adapt(RUN_MONTH)],
    )
    if vendor == "postgresql":
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{LIMIT_TABLE}', 'id'),"
            f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {LIMIT_TABLE}), false)"
        )


def _table_exists(cursor, vendor: str, table: str) -> bool:
    from django.db import connection

    return table in connection.introspection.table_names(cursor)


def phase_limit(size: int, check: bool) -> dict:
    """The expert's single INSERT ... SELECT, timed with its transaction and commit."""
    from django.db import connection, transaction

    vendor = connection.vendor
    with connection.cursor() as cursor:
        if not _table_exists(cursor, vendor, LIMIT_TABLE):
            _scratch_table(cursor, vendor)
        cursor.execute(f"DELETE FROM {LIMIT_TABLE} WHERE run_id = %s", [LIMIT_RUN_ID])
        if vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {LIMIT_TABLE}")
    rss_start = _rss_mib()
    gc.collect()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, amount_fen FROM benefits_standard WHERE programme_id = %s"
            " AND effective_from <= %s ORDER BY effective_from DESC LIMIT 1",
            [PROGRAMME, _adapt(RUN_MONTH)],
        )
        standard, amount = cursor.fetchone()
        cursor.execute(
            LIMIT_SQL,
            {
                "run": LIMIT_RUN_ID,
                "programme": PROGRAMME,
                "month": _adapt(RUN_MONTH),
                "today": _adapt(RUN_MONTH + timedelta(days=2)),
                "standard": standard,
                "amount": amount,
            },
        )
        inserted = cursor.rowcount
    elapsed = time.perf_counter() - started
    if inserted != size:
        raise SystemExit(f"bench: the limit inserted {inserted} lines, not {size}")
    figures = {"insert_s": elapsed, "rss_mib": _rss_mib(), "rss_start_mib": rss_start}
    if check:
        figures["same_lines"] = _same_lines()
    return figures


def phase_limit_table(size: int) -> dict:
    """For the breakdown: the limit's INSERT ... SELECT into the application's lines table itself
    (under a draft run), through its triggers and foreign keys. Ours against this is the cost of
    the computation's logic (arrears, what was paid); this against the limit is the cost of the
    database's invariants."""
    from django.db import connection, transaction

    from huhang.benefits.models import PayrollRun

    bureau, _bureau2, programme = _people()
    _reset()
    run = PayrollRun.objects.create(programme=programme, month=RUN_MONTH, created_by=bureau)
    rss_start = _rss_mib()
    gc.collect()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, amount_fen FROM benefits_standard WHERE programme_id = %s"
            " AND effective_from <= %s ORDER BY effective_from DESC LIMIT 1",
            [PROGRAMME, _adapt(RUN_MONTH)],
        )
        standard, amount = cursor.fetchone()
        cursor.execute(
            LIMIT_SQL.replace(LIMIT_TABLE, "benefits_payrollline"),
            {
                "run": run.pk,
                "programme": PROGRAMME,
                "month": _adapt(RUN_MONTH),
                "today": _adapt(RUN_MONTH + timedelta(days=2)),
                "standard": standard,
                "amount": amount,
            },
        )
        inserted = cursor.rowcount
    elapsed = time.perf_counter() - started
    rss = _rss_mib()
    _reset()
    if inserted != size:
        raise SystemExit(f"bench: the limit inserted {inserted} lines, not {size}")
    return {"insert_s": elapsed, "rss_mib": rss, "rss_start_mib": rss_start}


def _same_lines() -> bool | None:
    """Whether the limit wrote exactly the application's lines (None: no run to compare)."""
    from django.db import connection

    from huhang.benefits.models import PayrollRun

    run = PayrollRun.objects.filter(programme_id=PROGRAMME, month=RUN_MONTH).first()
    if run is None:
        return None
    same = (
        "seq, child_id, programme_id, for_month, standard_id, amount_fen, payee_name,"
        " payee_bank, payee_account_cipher, payee_account_last4"
    )
    with connection.cursor() as cursor:
        for a, b in (("l", "x"), ("x", "l")):
            tables = {"l": ("benefits_payrollline", run.pk), "x": (LIMIT_TABLE, LIMIT_RUN_ID)}
            (ta, ra), (tb, rb) = tables[a], tables[b]
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT {same} FROM {ta} WHERE run_id = %s"
                f" EXCEPT SELECT {same} FROM {tb} WHERE run_id = %s) d",
                [ra, rb],
            )
            if cursor.fetchone()[0]:
                return False
    return True


def phase_naive(size: int, naive: int) -> dict:
    """The loop over ORM objects, on the first `naive` entitlements, in one transaction."""
    from django.db import transaction
    from django.db.models import Count, Q, Sum

    from huhang.benefits.models import Entitlement, Payee, PayrollLine, PayrollRun, Standard

    bureau, _bureau2, programme = _people()
    _reset()
    today = RUN_MONTH + timedelta(days=2)
    rss_start = _rss_mib()
    gc.collect()
    started = time.perf_counter()
    run = PayrollRun.objects.create(programme=programme, month=RUN_MONTH, created_by=bureau)
    seq = 0
    with transaction.atomic():
        entitlements = (
            Entitlement.objects.filter(programme=programme, starts_on__lte=RUN_MONTH)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=RUN_MONTH))
            .order_by("child_id")[:naive]
        )
        for entitlement in entitlements:
            standard = (
                Standard.objects.filter(programme=programme, effective_from__lte=RUN_MONTH)
                .order_by("-effective_from")
                .first()
            )
            suspended = entitlement.suspensions.filter(
                Q(to_month__isnull=True) | Q(to_month__gte=RUN_MONTH), from_month__lte=RUN_MONTH
            ).exists()
            paid = (
                PayrollLine.objects.filter(
                    child_id=entitlement.child_id, programme=programme, for_month=RUN_MONTH
                )
                .exclude(status="failed")
                .exists()
            )
            payee = (
                Payee.objects.filter(child_id=entitlement.child_id, valid_from__lte=today)
                .order_by("-valid_from", "-pk")
                .first()
            )
            if standard is None or suspended or paid or payee is None:
                continue
            seq += 1
            PayrollLine(
                run=run,
                seq=seq,
                child_id=entitlement.child_id,
                programme=programme,
                for_month=RUN_MONTH,
                standard=standard,
                amount_fen=standard.amount_fen,
                payee_name=payee.name,
                payee_bank=payee.bank,
                payee_account_cipher=payee.account_cipher,
                payee_account_last4=payee.account_last4,
            ).save()
        totals = run.lines.aggregate(n=Count("pk"), total=Sum("amount_fen"))
        PayrollRun.objects.filter(pk=run.pk).update(
            status="computed",
            line_count=totals["n"],
            total_fen=totals["total"] or 0,
            computed_by=bureau,
        )
    elapsed = time.perf_counter() - started
    rss = _rss_mib()
    _reset()
    if seq != naive:
        raise SystemExit(f"bench: the naive loop made {seq} lines, not {naive}")
    return {"naive_s": elapsed, "lines": seq, "rss_mib": rss, "rss_start_mib": rss_start}


PHASES = {
    "build": lambda a: phase_build(a.size, bool(a.history)),
    "mark": lambda a: phase_mark(a.marker),
    "ours": lambda a: phase_ours(a.size),
    "export": lambda a: phase_export(a.size),
    "limit": lambda a: phase_limit(a.size, bool(a.check)),
    "export-limit": lambda a: phase_export_limit(a.size),
    "limit-table": lambda a: phase_limit_table(a.size),
    "naive": lambda a: phase_naive(a.size, a.naive),
}


# =================================================================================================
# Command line
# =================================================================================================


def _size(text: str) -> int:
    if text in SIZES:
        return SIZES[text]
    text = text.lower().replace(",", "").replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    value = int(float(text.rstrip("km")) * factor)
    if value < 1:
        raise argparse.ArgumentTypeError("size must be at least 1")
    return value


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.payroll", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--size",
        type=_size,
        default=SIZES["district"],
        help="entitled children: a number (1000000, 100k, 1m) or small/demo/district/large",
    )
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="repetitions (median)")
    parser.add_argument("--naive", type=int, default=NAIVE, help="children for the ORM loop")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set(s)")
    parser.add_argument(
        "--no-history", action="store_true", help="no month already paid (the first run ever)"
    )
    parser.add_argument("--drop", action="store_true", help="remove the data sets and exit")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"results ({RESULTS})")
    # Internal: one phase in this process.
    parser.add_argument("--worker", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--history", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--check", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--marker", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.worker:
        _setup()
        figures = PHASES[args.worker](args)
        args.result_file.write_text(json.dumps(figures), encoding="utf-8")
        return 0
    engines = ENGINES if args.engine == "both" else (args.engine,)
    if args.drop:
        for name in engines:
            Engine(name, args.size).drop()
        return 0
    from bench import report

    results: list[Result] = []
    for name in engines:
        log(f"bench: payroll on {name}, {args.size:,} children, {args.repeat} repetitions")
        results += measure_engine(
            Engine(name, args.size),
            repeat=max(1, args.repeat),
            naive=args.naive,
            history=not args.no_history,
            rebuild=args.rebuild,
        )
    results.append(result("process.peak_rss_children", _rss_children(), "MiB", None))
    print()
    print(report.table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report.write(results, args.output)
    log(f"\nbench: wrote {len(results)} figures to {args.output}")
    return 0


def _rss_children() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
