"""Every write of a payroll run, step by step: draft → computed → approved → exported →
reconciled → closed. Each step is one transaction, takes the acting user, moves the run on with
one conditional UPDATE (core.access.claim: two clicks, one step) and is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.benefits.models import (
    Frequency,
    LineStatus,
    PayrollLine,
    PayrollRun,
    Programme,
    RunStatus,
)
from huhang.benefits.payroll import compute
from huhang.core import jobs
from huhang.core.access import claim, require
from huhang.core.audit import audit_object
from huhang.core.dates import add_months, month_start
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.models import Job

if TYPE_CHECKING:
    from huhang.accounts.models import User


def _audit_run(by: User, run: PayrollRun, step: str, **detail: Any) -> None:
    audit_object(
        by=by,
        action="change",
        obj=run,
        object_type="payroll_run",
        step=step,
        status=run.status,
        **detail,
    )


# The steps of a run: the state each one moves on from, and the fields that record who took it
# (closing records nobody) and when.
_STEPS: dict[str, tuple[str, str | None, str]] = {
    RunStatus.COMPUTED: (RunStatus.DRAFT, "computed_by", "computed_at"),
    RunStatus.APPROVED: (RunStatus.COMPUTED, "approved_by", "approved_at"),
    RunStatus.EXPORTED: (RunStatus.APPROVED, "exported_by", "exported_at"),
    RunStatus.RECONCILED: (RunStatus.EXPORTED, "reconciled_by", "reconciled_at"),
    RunStatus.CLOSED: (RunStatus.RECONCILED, None, "closed_at"),
}


def _advance(run: PayrollRun, to: str, *, by: User, **fields: Any) -> None:
    """Move a run on to `to`, recording who and when, only if it is still in the state that
    step starts from (two clicks, one step)."""
    expected, by_field, at_field = _STEPS[to]
    if run.status != expected:
        raise InvalidTransition(
            _("批次当前状态为“%(s)s”，不能进行此操作。") % {"s": run.get_status_display()}
        )
    stamps: dict[str, Any] = {at_field: timezone.now()}
    if by_field is not None:
        stamps[by_field] = by
    claim(
        PayrollRun.objects.filter(pk=run.pk, status=expected),
        refusal=_("批次状态已被他人更改，请刷新后重试。"),
        status=to,
        **stamps,
        **fields,
    )
    run.refresh_from_db()


def month_check(month: date, *, today: date | None = None) -> None:
    """Refuse a month later than the current one plus HUHANG_PAYROLL_MONTHS_AHEAD: nobody pays
    an allowance for 2099 (a typo, or a run made to pay ahead of the entitlement's checks)."""
    ahead = settings.HUHANG_PAYROLL_MONTHS_AHEAD
    last = add_months(month_start(today or timezone.localdate()), ahead)
    if month_start(month) > last:
        raise DomainError(
            _("发放月份不能晚于 %(last)s（当前月份之后 %(n)s 个月以内）。")
            % {"last": f"{last:%Y-%m}", "n": ahead},
            field="month",
        )


@transaction.atomic
def run_create(
    *,
    by: User,
    programme: Programme,
    month: date,
    supplementary: bool = False,
    today: date | None = None,
) -> PayrollRun:
    """A draft run; `today` (default: the real day) bounds the month (`month_check`)."""
    require(by, "benefits.manage")
    month_check(month, today=today)
    try:
        with transaction.atomic():
            run = PayrollRun.objects.create(
                programme=programme,
                month=month_start(month),
                supplementary=supplementary,
                created_by=by,
            )
    except IntegrityError as exc:
        raise DomainError(
            _("%(p)s %(m)s 的正常发放批次已存在；补发请建补充批次。")
            % {"p": programme.name, "m": f"{month:%Y-%m}"}
        ) from exc
    _audit_run(by, run, "created")
    return run


@transaction.atomic
def run_compute(*, by: User, run: PayrollRun, today: date | None = None) -> PayrollRun:
    """Compute a draft run's lines in the database, set-based. A crash rolls back everything;
    computing again then starts from nothing, and the lines' unique index refuses any double
    payment another run may have made meanwhile."""
    require(by, "benefits.manage")
    today = today or timezone.localdate()
    if run.status != RunStatus.DRAFT:
        raise InvalidTransition(_("只有草稿批次可以计算。"))
    month_check(run.month, today=today)
    # Lock the run row first (PostgreSQL): a concurrent compute of the same run waits here.
    PayrollRun.objects.select_for_update(of=("self",)).filter(pk=run.pk).order_by().first()
    horizon = add_months(run.month, -settings.HUHANG_PAYROLL_LOOKBACK_MONTHS)
    try:
        with transaction.atomic():
            compute.insert_lines(
                run_id=run.pk,
                programme=run.programme_id,
                month=run.month,
                horizon=horizon,
                today=today,
                yearly=run.programme.frequency == Frequency.YEARLY,
            )
    except IntegrityError as exc:
        raise DomainError(_("另一批次正在或已经发放了相同的月份，本次计算已撤销。")) from exc
    totals = run.lines.aggregate(n=Count("pk"), total=Sum("amount_fen"))
    _advance(run, RunStatus.COMPUTED, by=by, line_count=totals["n"], total_fen=totals["total"] or 0)
    _audit_run(by, run, "computed", lines=run.line_count, total_fen=run.total_fen)
    return run


@transaction.atomic
def run_approve(*, by: User, run: PayrollRun) -> PayrollRun:
    require(by, "benefits.approve")
    if run.computed_by_id == by.pk:
        raise NotAllowed(_("计算人不能审批自己计算的批次，须由另一名工作人员审批。"))
    _advance(run, RunStatus.APPROVED, by=by)
    _audit_run(by, run, "approved")
    return run


@transaction.atomic
def run_mark_exported(*, by: User, run: PayrollRun, fmt: str) -> PayrollRun:
    """The first export freezes the run (it already is, since approval); later exports of the
    same run write the same lines again."""
    require(by, "benefits.manage")
    if run.status == RunStatus.APPROVED:
        _advance(run, RunStatus.EXPORTED, by=by)
    elif run.status != RunStatus.EXPORTED:
        raise InvalidTransition(_("只有已审批的批次可以导出银行文件。"))
    _audit_run(by, run, "exported", format=fmt)
    return run


@transaction.atomic
def run_apply_results(
    *, by: User, run: PayrollRun, results: dict[str, tuple[bool, str]]
) -> PayrollRun:
    """Write the bank's result for every line (明细编号 → (success, reason)), then mark the
    run reconciled. The caller has checked the file; this checks again that it covers the run.
    The lines are written first and the run claimed last: a second reconciliation of the same
    run is refused by the claim, and its transaction takes its lines' results back."""
    require(by, "benefits.manage")
    if run.status != RunStatus.EXPORTED:
        raise InvalidTransition(_("只有已导出的批次可以对账。"))
    lines = {line.line_id: line.pk for line in run.lines.only("pk", "seq", "run_id")}
    if set(results) != set(lines):
        raise DomainError(_("回盘文件的明细与本批次不一致。"))
    failed = {lines[k]: reason for k, (ok, reason) in results.items() if not ok}
    PayrollLine.objects.filter(run=run).exclude(pk__in=failed).update(
        status=LineStatus.PAID, failure_reason=""
    )
    for pk, reason in failed.items():
        PayrollLine.objects.filter(pk=pk).update(
            status=LineStatus.FAILED, failure_reason=reason[:200] or _("未说明")
        )
    _advance(run, RunStatus.RECONCILED, by=by)
    _audit_run(by, run, "reconciled", failed=len(failed))
    return run


@transaction.atomic
def run_close(*, by: User, run: PayrollRun) -> PayrollRun:
    require(by, "benefits.manage")
    _advance(run, RunStatus.CLOSED, by=by)
    _audit_run(by, run, "closed")
    return run


# --- From the page: the computation as a background job (core.jobs) -------------------------


def run_compute_request(*, by: User, run: PayrollRun) -> Job:
    """Queue the computation of a draft run for the background worker (the run's page); one
    computation of a run at a time. `huhang payroll run` computes in the foreground."""
    require(by, "benefits.manage")
    if run.status != RunStatus.DRAFT:
        raise InvalidTransition(_("只有草稿批次可以计算。"))
    month_check(run.month)
    return jobs.job_request(
        by=by,
        kind="payroll_compute",
        key=f"payroll_run:{run.pk}",
        title=_("计算发放批次：%(run)s") % {"run": f"{run.programme.name} {run.month:%Y-%m}"},
        params={"run": run.pk},
        busy=_("该批次正在后台计算，请等它完成。"),
    )


def run_compute_job(job: Job, step: Callable[..., None]) -> tuple[dict[str, Any], str]:
    """The job's work: compute the run as its requester (the same service as the command)."""
    step(_("计算发放明细"), 0)
    run = PayrollRun.objects.select_related("programme").get(pk=job.params["run"])
    run = run_compute(by=job.requested_by, run=run)
    result = {
        "message": _("批次已计算，请另一名工作人员审批。"),
        "run": run.pk,
        "lines": run.line_count,
        "total_fen": run.total_fen,
    }
    return result, reverse("benefits:run_detail", args=[run.pk])
