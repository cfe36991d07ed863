"""`huhang screen [--as-of DATE] [--engine duckdb|spark] [--user NAME]`: run a screening.

A progress bar on stderr, then one JSON object on stdout:
{"run": id, "as_of": "2026-03-01", "engine": "duckdb", "batches": {...}, "found": {...},
"new": {...}, "unchanged": {...}, "total": {...}, "flagged": n, "link_reviews": n,
"seconds": 12.3}. A refusal (no batches yet, unknown engine) prints one line on stderr and exits
non-zero. Runs the same service as the screening page, audited with the channel "cli".
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huhang.core import heartbeat
from huhang.core.context import acting_from
from huhang.core.exceptions import DomainError
from huhang.screening.management.arguments import active_user, iso_date
from huhang.screening.models import Engine
from huhang.screening.runs.services import screen_run

BAR = 30


class Command(BaseCommand):
    help = (
        "精准排查：用各部门数据的最新批次，按规则找出新符合或不再符合条件的儿童，生成线索。"
        "标准错误输出显示进度，标准输出打印一个 JSON 汇总。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            default=None,
            help="排查基准日（默认今天）",
        )
        parser.add_argument(
            "--engine",
            choices=Engine.values,
            default=Engine.DUCKDB,
            help="duckdb（默认，内嵌）或 spark（HUHANG_SPARK_MASTER）",
        )
        parser.add_argument(
            "--user", metavar="NAME", default=None, help="操作人用户名（记入审计；默认命令行）"
        )

    def handle(self, *args, as_of: str | None, engine: str, user: str | None, **options) -> None:
        day = iso_date(as_of) if as_of else timezone.localdate()
        by = active_user(user) if user else None
        started = time.perf_counter()
        progress = _Bar(self.stderr if options.get("verbosity", 1) > 0 else None)
        # Ctrl-C or SIGTERM marks the run failed (with why) before the command ends, so that
        # the next screening may start at once.
        with acting_from(None, "cli"), heartbeat.stop_on_signals():
            try:
                run = screen_run(by=by, as_of=day, engine=engine, progress=progress)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            except KeyboardInterrupt as exc:
                raise CommandError("排查已中断，已记为失败。", returncode=130) from exc
            finally:
                progress.close()
        summary = {
            "run": run.pk,
            "as_of": run.as_of.isoformat(),
            "engine": run.engine,
            "batches": run.batches,
            **run.stats,
            "seconds": round(time.perf_counter() - started, 1),
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))


class _Bar:
    """A one-line progress bar: `[#####.....] 5/12 situations`."""

    def __init__(self, out) -> None:
        self.out = out
        self.drawn = False

    def __call__(self, done: int, total: int, label: str) -> None:
        if self.out is None:
            return
        filled = BAR * done // max(total, 1)
        line = f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} {label:<20}"
        self.out.write(line, ending="")
        self.out.flush()
        self.drawn = True

    def close(self) -> None:
        if self.out is not None and self.drawn:
            self.out.write("")
            self.drawn = False
