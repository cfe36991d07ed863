"""`huhang leads [--format json|csv|xlsx] [--out FILE] [--status S ...] [--kind K ...] [--user NAME]`.

Prints the current leads: JSON (a list of objects with id, kind, status, id_number, name, sex,
birth_date, region_code, region_flagged, division, child, category, evidence, raised_at) or CSV
(the same columns, evidence as JSON text; UTF-8 with BOM; text cells a spreadsheet would
evaluate are prefixed with an apostrophe: docs/files.md), or writes them to an XLSX workbook
(`--out`, created readable by its owner only) for a person to read.

This is an operator's command for people with shell access to the server, who can read the
database anyway: ID numbers are printed IN FULL. Each printed lead is recorded in the audit trail
(an "export" event per lead, channel "cli"); with --user the listing is limited to that user's
scope and the events name that user.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from huhang.core import exports
from huhang.core.context import acting_from
from huhang.screening.leads.selectors import EXPORT_FIELDS, lead_export
from huhang.screening.management.arguments import active_user
from huhang.screening.models import LeadKind, LeadStatus


class Command(BaseCommand):
    help = (
        "打印当前的排查线索（JSON 或 CSV）。供服务器运维人员使用：公民身份号码完整显示，"
        "每条线索的导出记入审计日志。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--format", choices=("json", "csv", "xlsx"), default="json", dest="fmt", help="输出格式"
        )
        parser.add_argument(
            "--out", type=Path, default=None, help="XLSX 的输出文件（仅本人可读，0600）"
        )
        for option, values, what in (
            ("--status", LeadStatus.values, "状态"),
            ("--kind", LeadKind.values, "类型"),
        ):
            parser.add_argument(
                option,
                action="append",
                choices=values,
                default=[],
                help=f"只列出此{what}的线索（可重复）",
            )
        parser.add_argument(
            "--user", metavar="NAME", default=None, help="按该用户的管辖范围列出，并记入审计"
        )

    def handle(
        self,
        *args,
        fmt: str,
        out: Path | None,
        status: list,
        kind: list,
        user: str | None,
        **options,
    ):
        if (fmt == "xlsx") != (out is not None):
            raise CommandError("--out 须与 --format xlsx 一起使用（XLSX 写入文件，不打印）。")
        by = active_user(user) if user else None
        with acting_from(None, "cli"):
            rows = lead_export(by=by, statuses=status, kinds=kind)
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        columns = [exports.Column(name, _KINDS.get(name, exports.TEXT)) for name in EXPORT_FIELDS]
        table = [[_cell(row[name]) for name in EXPORT_FIELDS] for row in rows]
        if fmt == "csv":
            self.stdout.write("\ufeff", ending="")
            writer = csv.writer(self.stdout, lineterminator="\r\n")
            writer.writerows(exports.csv_text(columns, table))
            return
        assert out is not None
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as stream:
            sheet = exports.Sheet(_("排查线索"), columns, table, title=_("排查线索"))
            exports.write_xlsx(stream, [sheet])


_KINDS = {
    "id": exports.COUNT,
    "id_number": exports.ID,
    "region_code": exports.ID,
    "division": exports.ID,
    "child": exports.COUNT,
}


def _cell(value: Any) -> Any:
    """A lead's value as a cell: evidence and other structures as JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
