"""Every read of payroll runs for the pages: the list with control totals, a run and its lines
(only the lines of the children whose figures the user may see), and the step the run waits
for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from huhang.benefits.models import LineStatus, PayrollLine, PayrollRun, RunStatus
from huhang.benefits.selectors import masked
from huhang.core import exports, scope
from huhang.core.audit import audit_object
from huhang.core.models import AuditAction
from huhang.core.money import yuan
from huhang.core.roles import can

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from huhang.accounts.models import User

    class Shown(TypedDict):
        shown_count: int
        shown_fen: int

    # A run with the count and sum of the lines its reader is shown (run_list).
    ShownRun = WithAnnotations[PayrollRun, Shown]


def run_list(*, user: User, programme: str = "") -> QuerySet[ShownRun]:
    """Runs, newest month first, with the figures a role is shown (`shown_count`, `shown_fen`):
    the bureau, each run's control total; other roles, the count and sum of the lines of the
    children in their scope (a supervisor, its street's)."""
    qs = scope.visible(user, PayrollRun).select_related("programme")
    if programme:
        qs = qs.filter(programme_id=programme)
    if can(user, "benefits.manage"):
        return qs.annotate(shown_count=F("line_count"), shown_fen=F("total_fen"))
    lines = scope.visible(user, PayrollLine).filter(run_id=OuterRef("pk")).order_by()
    count = lines.values("run_id").annotate(n=Count("pk")).values("n")[:1]
    total = lines.values("run_id").annotate(s=Sum("amount_fen")).values("s")[:1]
    return qs.annotate(
        shown_count=Coalesce(Subquery(count), Value(0)),
        shown_fen=Coalesce(Subquery(total), Value(0)),
    )


def decorate_runs(runs: Iterable[ShownRun]) -> None:
    for run in runs:
        run.shown_total = yuan(run.shown_fen)


def run_for_user(*, user: User, pk: Any) -> PayrollRun:
    """Runs are a programme's, not a division's: anyone who reads the funds may open one, and
    sees only the lines of its own scope's children (run_lines); 404 for anybody else."""
    return scope.get(
        user,
        PayrollRun,
        pk,
        "programme",
        "created_by",
        "computed_by",
        "approved_by",
        "exported_by",
        "reconciled_by",
    )


def run_lines(*, user: User, run: PayrollRun, status: str = "") -> QuerySet[PayrollLine]:
    """The run's lines of the children the user sees; records one view of the run's lines."""
    qs = scope.visible(user, PayrollLine).filter(run=run)
    if status in LineStatus.values:
        qs = qs.filter(status=status)
    audit_object(
        by=user, action=AuditAction.VIEW, obj=run, object_type="payroll_run", lines=status or "all"
    )
    return qs.select_related("child__person", "child__division").order_by("seq")


def decorate_lines(lines: Iterable[PayrollLine]) -> None:
    for line in lines:
        line.yuan = yuan(line.amount_fen)
        line.masked_account = masked(line.payee_account_cipher)


def run_summary(*, user: User, run: PayrollRun) -> dict[str, int]:
    """Counts by result of the lines the user sees (one query)."""
    counts = dict(
        scope.visible(user, PayrollLine)
        .filter(run=run)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {s: counts.get(s, 0) for s in LineStatus.values}


# Which step a run's page offers, by status; the services decide in the end.
RUN_STEPS: dict[str, str] = {
    RunStatus.DRAFT: "compute",
    RunStatus.COMPUTED: "approve",
    RunStatus.APPROVED: "export",
    RunStatus.EXPORTED: "reconcile",
    RunStatus.RECONCILED: "close",
}
STEP_CAPABILITY = {
    "compute": "benefits.manage",
    "approve": "benefits.approve",
    "export": "benefits.manage",
    "reconcile": "benefits.manage",
    "close": "benefits.manage",
}


def run_step(*, user: User, run: PayrollRun) -> tuple[str | None, str]:
    """The next step the user may take on the run and, when it may not, why (for the page)."""
    step = RUN_STEPS.get(run.status)
    if step is None or not can(user, STEP_CAPABILITY[step]):
        return None, ""
    if step == "approve" and run.computed_by_id == user.pk:
        return None, _("您是本批次的计算人，须由另一名工作人员审批（双人审批）。")
    return step, ""


def run_totals_agree(run: PayrollRun) -> bool:
    """Whether the run's control figures still equal the sum of its lines (before an export)."""
    totals = run.lines.aggregate(n=Count("pk"), total=Sum("amount_fen"))
    return totals["n"] == run.line_count and (totals["total"] or 0) == run.total_fen


def run_lines_workbook(*, user: User, run: PayrollRun) -> list[exports.Sheet]:
    """The run's lines the user sees, for a clerk and for paper: the lines (accounts masked,
    amounts as numbers) and a summary by month paid for, with the total of those lines. Records
    one export event."""
    audit_object(
        by=user,
        action=AuditAction.EXPORT,
        obj=run,
        object_type="payroll_run",
        format="xlsx",
        what="lines",
    )
    lines = (
        scope.visible(user, PayrollLine)
        .filter(run=run)
        .select_related("child__person", "child__division")
        .order_by("seq")
    )
    title = _("发放明细 · 批次 %(run)06d · %(programme)s") % {
        "run": run.pk,
        "programme": run.programme.name,
    }
    period = _("发放月份 %(month)s · %(status)s") % {
        "month": f"{run.month:%Y-%m}",
        "status": run.get_status_display(),
    }
    columns = [
        exports.Column(_("明细编号"), exports.ID),
        exports.Column(_("儿童姓名")),
        exports.Column(_("社区/村")),
        exports.Column(_("所属月份")),
        exports.Column(_("金额（元）"), exports.FEN),
        exports.Column(_("收款人")),
        exports.Column(_("账号（部分）"), exports.ID),
        exports.Column(_("开户行")),
        exports.Column(_("结果")),
        exports.Column(_("失败原因")),
    ]
    rows = [
        [
            line.line_id,
            line.child.person.name,
            line.child.division.name,
            f"{line.for_month:%Y-%m}",
            line.amount_fen,
            line.payee_name,
            f"**** {line.payee_account_last4}",  # the last four only; nothing decrypted
            line.payee_bank,
            line.get_status_display(),
            line.failure_reason,
        ]
        for line in lines.iterator(chunk_size=2000)
    ]
    months: dict[str, list[int]] = {}
    for row in rows:
        figures = months.setdefault(row[3], [0, 0])
        figures[0] += 1
        figures[1] += row[4]
    total = [_("合计"), sum(f[0] for f in months.values()), sum(f[1] for f in months.values())]
    return [
        exports.Sheet(
            _("发放明细"),
            columns,
            rows,
            title=title,
            period=period,
            totals=[_("合计"), None, None, None, total[2], None, None, None, None, None],
        ),
        exports.Sheet(
            _("汇总"),
            [
                exports.Column(_("所属月份")),
                exports.Column(_("笔数"), exports.COUNT),
                exports.Column(_("金额（元）"), exports.FEN),
            ],
            [[month, n, fen] for month, (n, fen) in sorted(months.items())],
            title=title,
            period=period,
            totals=total,
        ),
    ]


# --- What waits for a person (the workbench's inbox composes this) ----------------------------


def runs_waiting(user: User) -> QuerySet[PayrollRun] | None:
    """Computed runs waiting for a second person's approval: every approver but the one who
    computed the run (services.run_approve refuses that one), oldest first."""
    if not can(user, "benefits.approve"):
        return None
    return (
        scope.visible(user, PayrollRun)
        .filter(status=RunStatus.COMPUTED)
        .exclude(computed_by=user)
        .select_related("programme", "computed_by")
        .order_by("computed_at", "pk")
    )
