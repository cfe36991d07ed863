"""Running a screening (精准排查): linkage, then the rules, then the new leads into the database.

`screen_run` is what `huhang screen` calls: it records the run and executes it in the foreground.
The screening page calls `screen_request`, which records the run (queued) and hands it to the
background task (`tasks.screen_task`), which calls `screen_execute`. The heavy work runs in
DuckDB (or Spark) outside any database transaction, reporting its stage on the run's row; what
it found is written in one transaction, set-based (bulk inserts in chunks), with one audit event
for the run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.core import crypto, divisions, heartbeat
from huhang.core.access import require
from huhang.core.audit import audit_record
from huhang.core.exceptions import DomainError
from huhang.core.models import AuditAction
from huhang.regions.models import Division
from huhang.screening.analytics import engines, rules
from huhang.screening.analytics.linkage import link_people
from huhang.screening.feeds.selectors import current_batches
from huhang.screening.links.services import link_reviews_store
from huhang.screening.models import (
    IN_FLIGHT,
    Engine,
    FeedBatch,
    Lead,
    LeadStatus,
    ScreeningRun,
)

if TYPE_CHECKING:
    from huhang.accounts.models import User

# progress(done, total, label): called before each stage.
Progress = Callable[[int, int, str], None]

CHUNK = 2000


def stages() -> list[str]:
    """The stages of a run in order, as reported to `progress` and on the run's row."""
    return ["load", "linkage"] + [s.name for s in rules.STEPS + rules.OUTPUT_STEPS] + ["store"]


def runs_sweep(stale_before: datetime) -> int:
    """Mark failed the runs whose process died (core.heartbeat): a running run whose heartbeat
    is older than `stale_before`, and a queued run no worker took for
    HUHANG_TASK_QUEUED_MINUTES. Should the process of a running one still be alive after all,
    its next report finds the run no longer running and stops (heartbeat.InFlight)."""
    died = _("中断：执行该次排查的后台进程已停止（被终止、崩溃或服务器重启）。")
    return len(heartbeat.work_sweep(ScreeningRun, stale_before, died=died))


def _run_create(*, by: User | None, as_of: date, engine: str) -> ScreeningRun:
    """Check the request and record the run (queued). Refusals raise and record nothing."""
    if by is not None:  # None: the operator at the server's console
        require(by, "screening.run")
    if engine not in Engine.values:
        raise DomainError(_("未知的排查引擎：%(engine)s") % {"engine": engine}, field="engine")
    if engine == Engine.SPARK and (missing := engines.spark_missing()):
        raise DomainError(missing, field="engine")
    batches = current_batches()
    if not batches:
        raise DomainError(_("还没有导入任何部门数据，无法排查。请先导入数据。"))
    root = settings.HUHANG_ROOT_DIVISION
    if not Division.objects.filter(code=root).exists():
        raise DomainError(_("本系统的根区划 %(code)s 不存在。") % {"code": root})
    heartbeat.sweep()
    busy = _("已有一次排查正在进行，请等它完成后再开始新的排查。")
    if ScreeningRun.objects.filter(root=root, status__in=IN_FLIGHT).exists():
        raise DomainError(busy)
    try:
        # The partial unique index refuses a second run in flight that slipped past the check.
        with transaction.atomic():
            return ScreeningRun.objects.create(
                as_of=as_of,
                engine=engine,
                root=root,
                started_by=by if getattr(by, "is_authenticated", False) else None,
                batches={s: b.pk for s, b in batches.items()},
                stage_total=len(stages()),
            )
    except IntegrityError as exc:
        raise DomainError(busy) from exc


def screen_request(*, by: User, as_of: date, engine: str = Engine.DUCKDB) -> ScreeningRun:
    """Queue a screening for the background task (the screening page); returns the queued run.

    The task is enqueued once the run's row is committed, so the worker always finds it."""
    from huhang.screening.tasks import screen_task

    run = _run_create(by=by, as_of=as_of, engine=engine)
    transaction.on_commit(lambda: screen_task.enqueue(run_id=run.pk))
    return run


def screen_run(
    *,
    by: User | None,
    as_of: date,
    engine: str = Engine.DUCKDB,
    progress: Progress | None = None,
) -> ScreeningRun:
    """Screen every current snapshot as of `as_of` now, in this process (`huhang screen`);
    store the leads not known yet.

    `by` is the acting user (None: the command line, run by the operator of the machine)."""
    run = _run_create(by=by, as_of=as_of, engine=engine)
    return screen_execute(run=run, by=by, progress=progress)


def screen_execute(
    *, run: ScreeningRun, by: User | None, progress: Progress | None = None
) -> ScreeningRun:
    """Execute a queued run: linkage, the rules, the new leads. Its progress is written on the
    run's row after each stage (outside any transaction, so that the page sees it); a failure
    marks the run failed with its reason and is raised again."""
    stopped = _("该次排查已经开始或已结束。")
    heartbeat.work_start(ScreeningRun, run.pk, refusal=stopped, started_at=timezone.now())
    run.refresh_from_db()
    row = heartbeat.InFlight(run, stopped=stopped)
    names = stages()
    done = iter(range(len(names)))

    def step(label: str) -> None:
        n = next(done)
        row.step(label, n)
        if progress:
            progress(n, len(names), label)

    try:
        # The heartbeat goes on through the store: a long transaction is not a dead process.
        with heartbeat.beating(row.beat):
            table, candidates = _screen(run, step)
            step("store")
            with transaction.atomic():
                link_reviews_store(run=run, candidates=candidates)
                stats = leads_store(run=run, table=table)
                stats["link_reviews"] = len(candidates)
                # running → done, in the transaction that stored the leads: a run taken for dead
                # meanwhile stores nothing.
                row.finish(stats=stats)
                run.refresh_from_db()
                audit_record(
                    by=by,
                    action=AuditAction.CREATE,
                    object_type="screening_run",
                    object_id=run.pk,
                    label=_("排查（基准日 %(date)s）") % {"date": run.as_of.isoformat()},
                    detail={"engine": run.engine, "batches": run.batches, **run.stats},
                )
    except BaseException as exc:  # also Ctrl-C, SIGTERM (heartbeat.Stopped), SystemExit
        row.fail(exc)
        run.refresh_from_db()
        raise
    return run


def _screen(
    run: ScreeningRun, step: Callable[[str], None]
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """The heavy part, in DuckDB (or Spark), outside any database transaction."""
    step("load")
    batches = FeedBatch.objects.in_bulk(run.batches.values())
    snapshots: dict[str, Path | None] = {
        source: Path(settings.DATA_DIR) / batches[pk].snapshot for source, pk in run.batches.items()
    }
    inputs = engines.inputs_load(snapshots)
    con = engines.duckdb_open(inputs)
    try:
        step("linkage")
        candidates = link_people(con, as_of=run.as_of).candidates
        if run.engine == Engine.DUCKDB:
            table = engines.run_duckdb(con, as_of=run.as_of, root=run.root, progress=step)
        else:
            inputs.links = engines.links_table(con)
            table = engines.run_spark(inputs, as_of=run.as_of, root=run.root, progress=step)
    finally:
        con.close()
    return table, candidates


def leads_store(*, run: ScreeningRun, table: pa.Table) -> dict[str, Any]:
    """Insert the leads of `table` (rules.LEAD_SCHEMA) that are not known yet, in chunks.

    A lead is known when a lead of the same fingerprint exists (the fingerprint covers the kind,
    the person and the facts and dates of the evidence): it is not raised again, whatever its
    status. Returns the counts found / new / unchanged by kind. Called inside screen_run's
    transaction."""
    known = set(Lead.objects.values_list("fingerprint", flat=True))
    found: Counter[str] = Counter(table.column("kind").to_pylist())
    new: Counter[str] = Counter()
    flagged = 0
    fresh: list[dict[str, Any]] = []
    for row in table.to_pylist():
        if row["fingerprint"] in known:
            continue
        known.add(row["fingerprint"])
        new[row["kind"]] += 1
        flagged += bool(row["region_flagged"])
        fresh.append(row)
    _insert(run, fresh)
    unchanged = found - new
    return {
        "found": dict(sorted(found.items())),
        "new": dict(sorted(new.items())),
        "unchanged": dict(sorted(unchanged.items())),
        "total": {
            "found": sum(found.values()),
            "new": sum(new.values()),
            "unchanged": sum(unchanged.values()),
        },
        "flagged": flagged,
    }


# The columns each lead fills; every other column of the table takes its field's default.
_PER_LEAD = (
    "kind",
    "person_key",
    "id_number",
    "id_index",
    "name",
    "sex",
    "birth_date",
    "child_id",
    "category",
    "division_id",
    "region_code",
    "region_flagged",
    "evidence",
    "fingerprint",
)


def stored_person_key(person_key: str, id_number: str | None) -> str:
    """The lead's person key as stored: an ID number is kept as its blind index (core.crypto),
    never in clear; feed keys ("edu:<学籍号>") as they are."""
    if id_number and person_key == id_number:
        return f"id:{crypto.blind_index(id_number)}"
    return person_key


def _insert(run: ScreeningRun, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING with executemany, in chunks.

    Not `bulk_create`: it prepares every value of every field through the model field (half a
    million calls for 20,000 leads, seconds of work) and SQLite's parameter limit cuts it into
    batches of 37 rows. Here the values come straight from the engine's Arrow table; the
    constants (run, time, status, blank notes) are prepared once through their fields."""
    if not rows:
        return
    ops = connection.ops
    fields = [f for f in Lead._meta.concrete_fields if not f.primary_key]
    fixed = {"run_id": run.pk, "raised_at": timezone.now(), "status": LeadStatus.NEW}
    constants = {
        f.attname: f.get_db_prep_save(fixed.get(f.attname, f.get_default()), connection)
        for f in fields
        if f.attname not in _PER_LEAD
    }
    columns = [cast(str, f.column) for f in fields]
    json_cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    placeholders = ", ".join(json_cast if f.attname == "evidence" else "%s" for f in fields)
    sql = (
        f"INSERT INTO {ops.quote_name(Lead._meta.db_table)} "
        f"({', '.join(ops.quote_name(c) for c in columns)}) VALUES ({placeholders}) "
        "ON CONFLICT DO NOTHING"
    )

    def values(row: dict[str, Any]) -> list:
        clear = row["id_number"] or ""
        mine = {
            "kind": row["kind"],
            "person_key": stored_person_key(row["person_key"], clear),
            # Encrypted at rest (core.crypto), found through the blind index.
            "id_number": crypto.encrypt_id(clear) if clear else "",
            "id_index": crypto.blind_index(clear),
            "name": (row["name"] or "")[:64],
            "sex": row["sex"] or "",
            "birth_date": ops.adapt_datefield_value(row["birth_date"]),
            "child_id": row["child_id"],
            "category": row["category"] or "",
            "division_id": row["division_code"],
            "region_code": (row["region_code"] or "")[: divisions.LEAF_LENGTH],
            "region_flagged": bool(row["region_flagged"]),
            "evidence": row["evidence"],
            "fingerprint": row["fingerprint"],
        }
        return [mine[f.attname] if f.attname in mine else constants[f.attname] for f in fields]

    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, [values(r) for r in rows[start : start + CHUNK]])
