"""`huhang payroll run|approve|export|reconcile|close`: the payroll run's steps from the shell.

Each step prints exactly one JSON object on stdout, {"run": id, "status": ..., "lines": n,
"total": "1234.50"}, and exits 0; a refusal prints one line on stderr and exits non-zero.
The steps are the same services the pages call, audited with the channel "cli".
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huhang.benefits import services
from huhang.benefits.models import PayrollRun, Programme
from huhang.benefits.models import RunStatus as PayrollRunStatus
from huhang.benefits.payroll import bankfile
from huhang.benefits.payroll import services as payroll
from huhang.benefits.payroll.banktemplates import TEMPLATES
from huhang.core import money
from huhang.core.context import acting_from
from huhang.core.exceptions import DomainError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Command(BaseCommand):
    help = (
        "发放批次的各个步骤：run（创建并计算）、approve（审批）、export（导出银行文件）、"
        "reconcile（按银行回盘文件对账）、close（关闭）。每步在标准输出打印一个 JSON 对象"
        "（run、status、lines、total），被拒绝时在标准错误输出一行原因并以非零状态退出。"
    )

    def add_arguments(self, parser) -> None:
        steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")

        run = steps.add_parser(
            "run", help="创建并计算某项目某月的发放批次（该月已有草稿批次时计算该草稿）"
        )
        run.add_argument("programme", metavar="PROGRAMME", help="项目代码，如 orphan-home")
        run.add_argument("month", metavar="YYYY-MM", help="发放月份")
        run.add_argument(
            "--supplementary",
            action="store_true",
            help="补充批次：补发本月正常批次之后新增或回盘失败的明细",
        )
        _user_option(run)

        approve = steps.add_parser("approve", help="审批已计算的批次（审批人不能是计算人）")
        approve.add_argument("run", metavar="RUN", type=int, help="批次编号")
        _user_option(approve)

        export = steps.add_parser("export", help="导出银行代发文件（含完整账号，注意保管）")
        export.add_argument("run", metavar="RUN", type=int, help="批次编号")
        export.add_argument(
            "--format",
            required=True,
            choices=(*bankfile.FORMATS, "zip"),
            dest="fmt",
            help="文件格式；zip = 按收款银行分文件，各用其银行的模板",
        )
        export.add_argument(
            "--template",
            choices=tuple(TEMPLATES),
            default="default",
            help="银行文件模板（见 docs/files.md）：" + "、".join(TEMPLATES),
        )
        export.add_argument(
            "--encoding",
            choices=tuple(bankfile.ENCODINGS),
            default=None,
            help="CSV 的编码：gb18030（默认）或 utf-8（带 BOM）；xlsx 不适用",
        )
        export.add_argument("--out", required=True, type=Path, help="输出文件（仅本人可读，0600）")
        export.add_argument(
            "--user",
            metavar="NAME",
            default=None,
            help="导出人（记入审计）；省略时为该批次的审批人，因为导出是审批之后的下一步",
        )

        reconcile = steps.add_parser("reconcile", help="按银行回盘文件（xlsx 或 csv）对账")
        reconcile.add_argument("run", metavar="RUN", type=int, help="批次编号")
        reconcile.add_argument("file", metavar="FILE", type=Path, help="回盘文件")
        _user_option(reconcile)

        close = steps.add_parser("close", help="关闭已对账的批次")
        close.add_argument("run", metavar="RUN", type=int, help="批次编号")
        _user_option(close)

    def handle(self, *args, step: str, **options) -> None:
        with acting_from(None, "cli"):
            try:
                run = getattr(self, f"_{step}")(**options)
            except DomainError as exc:  # also InvalidTransition and NotAllowed
                raise CommandError(exc.message) from exc
        self.stdout.write(
            json.dumps(
                {
                    "run": run.pk,
                    "status": run.status,
                    "lines": run.line_count,
                    "total": money.fen_to_yuan(run.total_fen),
                },
                ensure_ascii=False,
            )
        )

    # --- Steps ---------------------------------------------------------------------------------

    def _run(
        self, *, programme: str, month: str, user: str, supplementary: bool, **_
    ) -> PayrollRun:
        by = _user(user)
        found = Programme.objects.filter(code=programme).first()
        if found is None:
            codes = ", ".join(Programme.objects.values_list("code", flat=True))
            raise CommandError(f"没有项目“{programme}”（可选：{codes}）。")
        first = _month(month)
        # One transaction: a refused computation leaves no draft behind to block the month.
        with transaction.atomic():
            # Approved categories become entitlements first, so that the run covers them.
            services.entitlements_sync(by=by)
            # A draft of this month (created on the page, or left by an interrupted attempt)
            # is computed rather than refused; any other run of the month refuses as before.
            draft = (
                PayrollRun.objects.filter(
                    programme=found,
                    month=first,
                    supplementary=supplementary,
                    status=PayrollRunStatus.DRAFT,
                )
                .order_by("-pk")
                .first()
            )
            run = draft or payroll.run_create(
                by=by, programme=found, month=first, supplementary=supplementary
            )
            return payroll.run_compute(by=by, run=run)

    def _approve(self, *, run: int, user: str, **_) -> PayrollRun:
        return payroll.run_approve(by=_user(user), run=_run(run))

    def _export(
        self,
        *,
        run: int,
        fmt: str,
        encoding: str | None,
        template: str,
        out: Path,
        user: str | None,
        **_,
    ) -> PayrollRun:
        found = _run(run)
        if fmt != "csv" and encoding is not None:
            raise CommandError("--encoding 只适用于 CSV。")
        if user is not None:
            by = _user(user)
        elif found.approved_by is not None:
            by = found.approved_by
        else:
            raise CommandError("只有已审批的批次可以导出银行文件。")
        # Written to a private temporary file next to the target, renamed only when complete:
        # no half-written bank file, and no moment when others could read the accounts.
        if out.is_dir():
            raise CommandError(f"{out} 是目录，请给出文件名。")
        try:
            handle, temp = tempfile.mkstemp(dir=out.parent, prefix=".payroll-", suffix=".part")
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror}") from exc
        try:
            with os.fdopen(handle, "wb") as stream:
                if fmt == "zip":
                    exported = bankfile.export_split(by=by, run=found, out=stream)
                else:
                    exported = bankfile.export_run(
                        by=by,
                        run=found,
                        fmt=fmt,
                        out=stream,
                        encoding=encoding or "gb18030",
                        template=template,
                    )
            os.replace(temp, out)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror or exc}") from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)  # gone already when the rename succeeded
        return exported

    def _reconcile(self, *, run: int, file: Path, user: str, **_) -> PayrollRun:
        by, found = _user(user), _run(run)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from exc
        return bankfile.reconcile_run(by=by, run=found, data=data)

    def _close(self, *, run: int, user: str, **_) -> PayrollRun:
        return payroll.run_close(by=_user(user), run=_run(run))


def _user_option(parser) -> None:
    parser.add_argument("--user", metavar="NAME", required=True, help="操作人用户名（记入审计）")


def _user(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有用户“{username}”，或该账号已停用。")
    return user


def _run(pk: int) -> PayrollRun:
    run = PayrollRun.objects.select_related("programme", "approved_by").filter(pk=pk).first()
    if run is None:
        raise CommandError(f"没有编号为 {pk} 的发放批次。")
    return run


def _month(text: str) -> date:
    match = _MONTH.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[1]), int(match[2]), 1)
    except ValueError as exc:
        raise CommandError(f"月份“{text}”应为 YYYY-MM 格式，例如 2026-03。") from exc
