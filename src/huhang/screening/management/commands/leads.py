"""`huhang leads [--format json|csv] [--status S ...] [--kind K ...] [--user NAME]`.

Prints the current leads: JSON (a list of objects with id, kind, status, id_number, name, sex,
birth_date, region_code, region_flagged, division, child, category, evidence, raised_at) or CSV
(the same columns, evidence as JSON text; UTF-8 with BOM so that Excel opens it).

This is an operator's command for people with shell access to the server, who can read the
database anyway: ID numbers are printed IN FULL. Each printed lead is recorded in the audit trail
(an "export" event per lead, channel "cli"); with --user the listing is limited to that user's
scope and the events name that user.
"""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand

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
            "--format", choices=("json", "csv"), default="json", dest="fmt", help="输出格式"
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

    def handle(self, *args, fmt: str, status: list, kind: list, user: str | None, **options):
        by = active_user(user) if user else None
        with acting_from(None, "cli"):
            rows = lead_export(by=by, statuses=status, kinds=kind)
        if fmt == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write("\ufeff", ending="")
        writer = csv.DictWriter(self.stdout, fieldnames=EXPORT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "evidence": json.dumps(row["evidence"], ensure_ascii=False)})
