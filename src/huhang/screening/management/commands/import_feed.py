"""`huhang import_feed SOURCE FILE [--as-of YYYY-MM-DD] [--user NAME]`: import a department's file.

Prints exactly one JSON object on stdout —
{"batch": id, "source": ..., "rows": N, "accepted": N, "rejected": N, "notices": [...],
 "errors": [{"row": R, "column": "...", "message": "..."}], "errors_total": N,
 "errors_omitted": N, "error_counts": [{"column": "...", "reason": "...", "count": N}],
 "duplicate": false}
— and exits 0, also when some rows were rejected (the first HUHANG_FEED_ERRORS_KEPT rejected
cells are listed, all of them counted; stderr says how many were not listed). A file that cannot be read,
has no data or lacks a required column exits non-zero with one line on stderr and stores nothing.
The same file imported again stores nothing and prints the existing batch with "duplicate": true.

Without --user the import is the console operator's (audited as "system"); with it, the named
user's permissions apply (a data officer may import only its department's source).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huhang.core.context import acting_from
from huhang.core.exceptions import DomainError
from huhang.screening.analytics import schema
from huhang.screening.feeds.services import feed_import
from huhang.screening.management.arguments import active_user, iso_date


class Command(BaseCommand):
    help = (
        "导入部门共享数据文件（XLSX，或 UTF-8/GB18030 编码的 CSV）。在标准输出打印一个 JSON 对象"
        "（batch、source、rows、accepted、rejected、errors、duplicate）；文件无法读取或缺少必需的列时"
        "在标准错误输出一行原因、以非零状态退出，且不保存任何内容。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "source",
            choices=schema.SOURCES,
            metavar="SOURCE",
            help="数据来源：" + "、".join(schema.SOURCES),
        )
        parser.add_argument("file", type=Path, metavar="FILE", help="数据文件")
        parser.add_argument(
            "--as-of", dest="as_of", default=None, metavar="YYYY-MM-DD", help="数据日期（默认今天）"
        )
        parser.add_argument(
            "--user", default=None, metavar="NAME", help="导入人（记入审计；默认为系统操作员）"
        )

    def handle(
        self, *args, source: str, file: Path, as_of: str | None, user: str | None, **options
    ) -> None:
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        by = active_user(user) if user else None
        progress = None
        if options.get("verbosity", 1) > 1:

            def progress(text: str) -> None:
                sys.stderr.write(f"{text}\n")

        with acting_from(None, "cli"):
            try:
                result = feed_import(
                    by=by,
                    source=source,
                    path=file,
                    as_of=iso_date(as_of) if as_of else None,
                    progress=progress,
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        for notice in result.batch.notices:
            self.stderr.write(notice)
        if result.errors_omitted:
            self.stderr.write(
                f"另有 {result.errors_omitted} 个拒收单元格未逐条列出（共 {result.batch.error_total} 个；"
                "按列和原因的统计见 error_counts）。"
            )
