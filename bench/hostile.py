"""Hostile files (issue 11): how fast a feed import or a bank return file refuses them.

Target (issue 11): "`huhang import_feed` answers a 2 KB sparse XLSX (a header plus one cell at
XFD1048576) with a refusal in under a second, and a file of 100,000 invalid rows within seconds,
storing a bounded number of error rows; a hostile bank return file (sparse, zip bomb) is refused
at once." The unit tests (tests/files/test_hostile_*.py) check *what* is refused and stored;
how fast is measured here, never asserted by a test.

The files are built here, the way tests/files/hostile.py builds them (bench imports nothing from
tests/): minimal XLSX packages of inline strings, no styles, no shared strings.

Figures, each against a baseline measured in the same worker, interleaved with it:

- hostile.feed_sparse / feed_sparse_undeclared / feed_bomb: `call_command("import_feed",
  "police", FILE)` refusing the 2 KB sparse sheet (with and without its <dimension>) and a
  16 MB-of-spaces zip bomb (about 16 KB), median ms; baseline: the same command importing a
  valid 10-row police XLSX (a fresh file each time, so that no import is a duplicate);
- hostile.feed_100k_invalid: the same command on 100,000 rows whose ID number is invalid (the
  issue's file, which took 48 s and 823 MB before; built as the tests build it, inline strings,
  about 1.9 MB), median s of a few runs (a fresh file each time); baseline: python-calamine
  reading every row of the same file into Python, nothing checked or stored (the reader the
  import uses: what the parse alone costs);
- hostile.feed_100k_errors_kept: the error rows stored per import; baseline: the limit
  (HUHANG_FEED_ERRORS_KEPT), so ratio <= 1 means bounded;
- hostile.feed_100k_peak_rss: peak RSS of the process doing those imports (a process of its
  own); baseline: its RSS once Django is set up, before the first import;
- hostile.return_sparse / return_bomb: `bankfile.read(data, max_rows=16)` (what reconciling a
  run of 6 lines reads the return file with) refusing the sparse sheet and an 8 MB bomb, median
  µs; baseline: the same call reading a valid 10-line return-shaped XLSX.

Two worker processes, one after the other, on a throw-away data directory whose SQLite database
is copied from a migrated empty one kept under bench/.data/hostile-empty/ (migrating takes ~20 s
here; redone only when the migrations change), so the suite takes a few seconds.

    python -m bench --only hostile_feeds
    python -m bench.hostile --repeat 10 --warmup 2       # the worker alone (migrates: slow)
"""

from __future__ import annotations

import argparse
import io
import itertools
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
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

from bench.registry import Context, Result, benchmark, result

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = BENCH_DIR / ".data" / "hostile-empty"
DATABASE = "huhang.sqlite3"
BUILD_VERSION = 1  # bump when the template changes shape
INVALID_ROWS = 100_000
INVALID_REPEAT = 2  # runs of the 100,000-row import, each of a new file
REFUSAL_TARGET_MS = 1000.0
INVALID_TARGET_S = 10.0  # "within seconds"
RETURN_LINES = 6
RETURN_SLACK = 10  # bankfile._RETURN_SLACK_ROWS: reconcile reads at most lines + 10 rows

POLICE = [
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "户籍地行政区划代码",
    "现住址行政区划代码",
    "父亲公民身份号码",
    "母亲公民身份号码",
    "人员状态",
    "状态日期",
]
HERE = "150203005001"
RETURN_HEADER = ["明细编号", "收款人姓名", "收款账号", "金额", "处理结果", "失败原因"]


@benchmark(
    "hostile_feeds",
    description="hostile XLSX (sparse, zip bomb, 100,000 invalid rows): feed import and bank return",
    needs_data=False,
)
def hostile_feeds(ctx: Context) -> list[Result]:
    template = _template(ctx)
    repeat = max(1, min(ctx.repeat, 30))
    warmup = max(0, min(ctx.warmup, 5))
    with tempfile.TemporaryDirectory(prefix="huhang-bench-hostile-") as data_dir:
        shutil.copy2(template, Path(data_dir) / DATABASE)
        work = str(Path(data_dir) / "files")
        f = _worker(data_dir, ["--repeat", str(repeat), "--warmup", str(warmup), "--work", work])
        f |= _worker(data_dir, ["--invalid", "--work", work])
    valid = f["feed_valid_ms"]
    for key, label in (
        ("feed_sparse_ms", "sparse 2 KB XLSX"),
        ("feed_sparse_undeclared_ms", "sparse, no <dimension>"),
        ("feed_bomb_ms", f"zip bomb ({f['bomb_kb']:.0f} KB)"),
    ):
        ctx.log(
            f"  import_feed refuses the {label} in {f[key]:.1f} ms "
            f"({'ok' if f[key] < REFUSAL_TARGET_MS else 'OVER'} {REFUSAL_TARGET_MS:.0f} ms); "
            f"a valid 10-row import takes {valid:.1f} ms"
        )
    ctx.log(
        f"  import_feed of {INVALID_ROWS:,} invalid rows ({f['invalid_kb']:.0f} KB): "
        f"{f['feed_invalid_s']:.2f} s ({'ok' if f['feed_invalid_s'] < INVALID_TARGET_S else 'OVER'} "
        f"{INVALID_TARGET_S:.0f} s), {f['errors_kept']:,} error rows stored of "
        f"{f['errors_total']:,} (limit {f['errors_limit']:,}); calamine parse alone "
        f"{f['parse_s']:.2f} s; peak RSS {f['peak_rss_mib']:.0f} MiB "
        f"({f['rss_before_mib']:.0f} MiB before the first import)"
    )
    ctx.log(
        f"  bank return: sparse refused in {f['return_sparse_us']:.0f} µs, bomb in "
        f"{f['return_bomb_us']:.0f} µs; a valid 10-line file read in {f['return_valid_us']:.0f} µs"
    )
    return [
        result("hostile.feed_sparse", f["feed_sparse_ms"], "ms", valid),
        result("hostile.feed_sparse_undeclared", f["feed_sparse_undeclared_ms"], "ms", valid),
        result("hostile.feed_bomb", f["feed_bomb_ms"], "ms", valid),
        result("hostile.feed_100k_invalid", f["feed_invalid_s"], "s", f["parse_s"]),
        result("hostile.feed_100k_errors_kept", f["errors_kept"], "rows", f["errors_limit"]),
        result("hostile.feed_100k_peak_rss", f["peak_rss_mib"], "MiB", f["rss_before_mib"]),
        result("hostile.return_sparse", f["return_sparse_us"], "µs", f["return_valid_us"]),
        result("hostile.return_bomb", f["return_bomb_us"], "µs", f["return_valid_us"]),
    ]


def _env(data_dir: str | Path) -> dict[str, str]:
    env = {
        **os.environ,
        "HUHANG_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "huhang.settings",
        "HUHANG_DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)
    return env


def _worker(data_dir: str, args: list[str]) -> dict:
    out = Path(data_dir) / f"figures-{len(args)}.json"
    argv = [sys.executable, "-m", "bench.hostile", *args, "--output", str(out)]
    subprocess.run(argv, env=_env(data_dir), cwd=BENCH_DIR.parent, check=True)
    return json.loads(out.read_text())


def _template(ctx: Context) -> Path:
    """A migrated, empty SQLite database (built once per set of migrations)."""
    from bench import dataset

    pkg = dataset._package_dir()
    import django

    wanted = dataset._digest(
        list(pkg.glob("*/migrations/*.py")), pkg, f"django={django.__version__} v{BUILD_VERSION}"
    )
    marker = TEMPLATE_DIR / "marker.txt"
    database = TEMPLATE_DIR / DATABASE
    if database.exists() and marker.exists() and marker.read_text() == wanted:
        return database
    ctx.log("  migrating an empty database for the hostile files (once per set of migrations)")
    building = TEMPLATE_DIR.with_name(TEMPLATE_DIR.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    argv = [sys.executable, "-m", "bench.hostile", "--migrate-only"]
    subprocess.run(argv, env=_env(building), cwd=BENCH_DIR.parent, check=True)
    # One self-contained file (no -wal beside it), copied by SQLite's backup API.
    shutil.rmtree(TEMPLATE_DIR, ignore_errors=True)
    TEMPLATE_DIR.mkdir(parents=True)
    with sqlite3.connect(building / DATABASE) as src, sqlite3.connect(database) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    shutil.rmtree(building, ignore_errors=True)
    marker.write_text(wanted)
    return database


# =================================================================================================
# The files (as tests/files/hostile.py builds them)
# =================================================================================================

_NS = "http://schemas.openxmlformats.org"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Types xmlns="{_NS}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" '
        f'xmlns:r="{_NS}/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<Relationships xmlns="{_NS}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _letters(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _row(r: int, values: list[str]) -> str:
    cells = "".join(_inline(f"{_letters(i)}{r}", v) for i, v in enumerate(values) if v != "")
    return f'<row r="{r}">{cells}</row>'


def workbook(rows: str | Iterable[str], dimension: str | None = None) -> bytes:
    """A minimal XLSX of one sheet (inline strings only); `rows` may be an iterable of row XML,
    written to the zip as it comes."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main">{dim}<sheetData>'.encode()
            )
            for part in [rows] if isinstance(rows, str) else rows:
                sheet.write(part.encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def sparse_xlsx(header: list[str], *, declare: bool = True) -> bytes:
    """The header and one cell at XFD1048576: ~2 KB claiming 17 billion cells."""
    rows = _row(1, header) + f'<row r="1048576">{_inline("XFD1048576", "x")}</row>'
    return workbook(rows, "A1:XFD1048576" if declare else None)


def bomb_xlsx(megabytes: int) -> bytes:
    """A header row followed by megabytes of spaces (compresses about a thousand times)."""
    return workbook(_row(1, ["姓名"]) + " " * (megabytes * 1024 * 1024))


def rows_xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    return workbook("".join(_row(r, v) for r, v in enumerate([header, *rows], start=1)))


def _police_rows(n: int, first: int) -> list[list[str]]:
    from huhang.core import idnumber

    rows = []
    for k in range(n):
        birth = date(2012, 1, 1) + timedelta(days=first + k)
        pid = idnumber.make("150203", birth, 2 * (k % 400) + 11)
        name = "王小" + "海河山川林森"[k % 6]
        rows.append([name, pid, "男", birth.isoformat(), HERE, HERE, "", "", "正常", ""])
    return rows


def _invalid_rows(variant: int) -> bytes:
    """100,000 copies of one row whose ID number is "123" (the issue's file); `variant` moves
    the birth date so that every file is a new one to the import (no duplicate)."""
    birth = (date(2015, 1, 1) + timedelta(days=variant)).isoformat()
    values = ["王小海", "123", "男", birth, HERE, "", "", "", "正常", ""]
    rows = (_row(r, values) for r in range(2, INVALID_ROWS + 2))
    return workbook(itertools.chain([_row(1, POLICE)], rows))


def _return_xlsx(lines: int) -> bytes:
    rows = [
        [f"R1-{k:06d}", "王小海", "6222020000000000", "1500.00", "成功", ""]
        for k in range(1, lines + 1)
    ]
    return rows_xlsx(RETURN_HEADER, rows)


# =================================================================================================
# The worker
# =================================================================================================


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def _interleaved(
    functions: list[Callable[[], object]], *, warmup: int, repeat: int
) -> list[list[float]]:
    for _ in range(warmup):
        for fn in functions:
            fn()
    out: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for fn, samples in zip(functions, out, strict=True):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
    return out


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import_feed(path: Path) -> dict:
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("import_feed", "police", str(path), stdout=out, stderr=err)
    return json.loads(out.getvalue())


def measure_refusals(repeat: int, warmup: int, work: Path) -> dict:
    """The refusals and their baselines; also writes the 100,000-row files for the next worker
    (built here so that their strings do not count in that worker's peak RSS)."""
    from django.core.management.base import CommandError

    from huhang.benefits.payroll import bankfile
    from huhang.core.exceptions import DomainError

    def write(name: str, data: bytes) -> Path:
        path = work / name
        path.write_bytes(data)
        return path

    def refused(path: Path, expect: str) -> Callable[[], None]:
        def run() -> None:
            try:
                _import_feed(path)
            except CommandError as exc:
                if expect not in str(exc):
                    raise AssertionError(f"{path.name}: refused for another reason: {exc}") from exc
            else:
                raise AssertionError(f"{path.name} was not refused")

        return run

    sparse = write("sparse.xlsx", sparse_xlsx(POLICE))
    undeclared = write("undeclared.xlsx", sparse_xlsx(POLICE, declare=False))
    bomb = write("bomb.xlsx", bomb_xlsx(16))
    valid = iter(
        [
            write(f"valid-{k}.xlsx", rows_xlsx(POLICE, _police_rows(10, 10 * k)))
            for k in range(warmup + repeat)
        ]
    )

    def import_valid() -> None:
        got = _import_feed(next(valid))
        assert got["accepted"] == 10 and not got["duplicate"], got

    # Each refusal with the valid import as its neighbour (interleaved: same load, same caches).
    feed = _interleaved(
        [refused(sparse, "列，超过上限"), refused(undeclared, "列，超过上限"),
         refused(bomb, "压缩比"), import_valid],
        warmup=warmup,
        repeat=repeat,
    )  # fmt: skip

    # Bank return files, read as reconciling a run of RETURN_LINES lines reads them.
    max_rows = RETURN_LINES + RETURN_SLACK
    return_sparse = sparse_xlsx(["明细编号", "金额"])
    return_bomb = bomb_xlsx(8)
    return_valid = _return_xlsx(10)

    def bank_refused(data: bytes, expect: str) -> Callable[[], None]:
        def run() -> None:
            try:
                bankfile.read(data, max_rows=max_rows)
            except DomainError as exc:
                if expect not in exc.message:
                    raise AssertionError(f"refused for another reason: {exc.message}") from exc
            else:
                raise AssertionError("the return file was not refused")

        return run

    def bank_valid() -> None:
        assert len(bankfile.read(return_valid, max_rows=max_rows).rows) == 10

    bank = _interleaved(
        [bank_refused(return_sparse, "超过上限"), bank_refused(return_bomb, "压缩炸弹"),
         bank_valid],
        warmup=warmup,
        repeat=repeat,
    )  # fmt: skip

    for k in range(min(repeat, INVALID_REPEAT)):
        write(f"invalid-{k}.xlsx", _invalid_rows(k))
    return {
        "feed_sparse_ms": round(_median_ms(feed[0]), 3),
        "feed_sparse_undeclared_ms": round(_median_ms(feed[1]), 3),
        "feed_bomb_ms": round(_median_ms(feed[2]), 3),
        "feed_valid_ms": round(_median_ms(feed[3]), 3),
        "sparse_bytes": sparse.stat().st_size,
        "bomb_kb": bomb.stat().st_size / 1024,
        "return_sparse_us": round(_median_ms(bank[0]) * 1000, 1),
        "return_bomb_us": round(_median_ms(bank[1]) * 1000, 1),
        "return_valid_us": round(_median_ms(bank[2]) * 1000, 1),
    }


def measure_invalid(work: Path) -> dict:
    """The 100,000-row files the first worker wrote, each imported once, each beside the bare
    parse of it; in a process of its own, so that the peak RSS is the import's."""
    import python_calamine
    from django.conf import settings

    from huhang.screening.models import FeedError

    invalid = sorted(work.glob("invalid-*.xlsx"))
    FeedError.objects.exists()  # the connection opened, as the command would have it
    rss_before = _peak_rss_mib()
    before = FeedError.objects.count()
    answers: list[dict] = []
    import_s: list[float] = []
    parse_s: list[float] = []
    for path in invalid:
        started = time.perf_counter()
        answers.append(_import_feed(path))
        import_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        parsed = sum(1 for _ in sheet.iter_rows())
        parse_s.append(time.perf_counter() - started)
        assert parsed == INVALID_ROWS + 1, parsed
    got = answers[-1]
    assert (got["rows"], got["accepted"], got["rejected"]) == (INVALID_ROWS, 0, INVALID_ROWS), got
    assert all(not a["duplicate"] for a in answers), "a 100,000-row file was a duplicate"
    return {
        "invalid_kb": invalid[0].stat().st_size / 1024,
        "invalid_runs": len(invalid),
        "feed_invalid_s": round(statistics.median(import_s), 3),
        "parse_s": round(statistics.median(parse_s), 3),
        "errors_kept": (FeedError.objects.count() - before) / len(invalid),
        "errors_total": got["errors_total"],
        "errors_limit": settings.HUHANG_FEED_ERRORS_KEPT,
        "rss_before_mib": round(rss_before, 1),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--migrate-only", action="store_true")
    parser.add_argument(
        "--invalid", action="store_true", help="import the 100,000-row files in --work"
    )
    parser.add_argument("--work", type=Path, default=None, help="where the files are written")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    if "HUHANG_DATA_DIR" not in os.environ:
        os.environ["HUHANG_DATA_DIR"] = tempfile.mkdtemp(prefix="huhang-bench-hostile-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huhang.settings")
    os.environ.setdefault("HUHANG_DEBUG", "0")
    import django

    django.setup()
    data_dir = Path(os.environ["HUHANG_DATA_DIR"])
    if args.migrate_only or not (data_dir / DATABASE).exists():
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    if args.migrate_only:
        return 0
    work = args.work or data_dir / "files"
    work.mkdir(parents=True, exist_ok=True)
    if args.invalid:
        figures = measure_invalid(work)
    else:
        figures = measure_refusals(args.repeat, args.warmup, work)
        if args.work is None:  # the worker alone: both parts, one process
            figures |= measure_invalid(work)
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    if args.output:
        args.output.write_text(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
