"""Every write of the guarantee funds: standards, payees, entitlements, suspensions and the
payroll run's steps (draft → computed → approved → exported → reconciled → closed). Each step
is one transaction, takes the acting user and is audited."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.benefits import compute
from huhang.benefits.models import (
    Entitlement,
    Frequency,
    LineStatus,
    Payee,
    PayrollLine,
    PayrollRun,
    Programme,
    RunStatus,
    Standard,
    Suspension,
)
from huhang.core import crypto, facts
from huhang.core.access import require
from huhang.core.audit import audit_record
from huhang.core.dates import add_months
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.registry.models import (
    ALLOWANCE_CATEGORIES,
    AssistanceType,
    CategoryAssignment,
    CategoryStatus,
    Child,
    Living,
)
from huhang.registry.selectors import audit_child

# Which approved category (and way of living) entitles a child to which monthly programme.
CATEGORY_PROGRAMMES = {
    ("orphan", Living.INSTITUTION): "orphan-institution",
    ("orphan", Living.HOME): "orphan-home",
    ("orphan", Living.RELATIVES): "orphan-home",
    ("orphan", Living.FOSTER): "orphan-home",
    ("dfuc", Living.HOME): "dfuc",
    ("dfuc", Living.RELATIVES): "dfuc",
    ("dfuc", Living.FOSTER): "dfuc",
    ("dfuc", Living.INSTITUTION): "dfuc",
}


def month_start(day: date) -> date:
    return day.replace(day=1)


def _audit_run(by, run: PayrollRun, step: str, **detail) -> None:
    audit_record(
        by=by,
        action="change",
        object_type="payroll_run",
        object_id=run.pk,
        label=str(run),
        detail={"step": step, "status": run.status, **detail},
    )


# --- Standards, payees, entitlements ------------------------------------------------------------


@transaction.atomic
def standard_set(
    *, by, programme: Programme, effective_from: date, amount_fen: int, note: str = ""
) -> Standard:
    """Set a programme's amount from a month on; a month in the past is a back-dated change
    whose differences the next run pays (补发)."""
    require(by, "benefits.manage")
    if amount_fen <= 0:
        raise DomainError(_("金额必须大于零。"), field="amount_fen")
    if effective_from.day != 1:
        raise DomainError(_("标准须从某月1日起生效。"), field="effective_from")
    current = (
        Standard.objects.filter(programme=programme, effective_from=effective_from)
        .order_by("-revision")
        .first()
    )
    if current is not None and current.amount_fen == amount_fen:
        return current
    standard = Standard.objects.create(
        programme=programme,
        effective_from=effective_from,
        amount_fen=amount_fen,
        note=note,
        set_by=by,
        revision=current.revision + 1 if current else 1,
    )
    audit_record(
        by=by,
        action="change",
        object_type="standard",
        object_id=standard.pk,
        label=f"{programme.code} {effective_from:%Y-%m}",
        detail={"amount_fen": amount_fen},
    )
    return standard


@transaction.atomic
def payee_set(
    *, by, child: Child, name: str, relation: str, bank: str, account: str, valid_from: date
) -> Payee:
    require(by, "benefits.manage")
    digits = "".join(account.split())
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise DomainError(_("银行账号应为8到30位数字。"), field="account")
    if not name.strip() or not bank.strip():
        raise DomainError(_("请填写收款人姓名和开户行。"))
    payee = Payee.objects.create(
        child=child,
        name=name.strip(),
        relation=relation.strip(),
        bank=bank.strip(),
        account_cipher=crypto.encrypt(digits),
        account_last4=digits[-4:],
        valid_from=valid_from,
        created_by=by,
    )
    audit_child(by=by, child=child, payee=payee.pk, account_last4=payee.account_last4)
    return payee


def entitlements_sync(*, by, today: date | None = None) -> dict[str, int]:
    """Derive monthly entitlements from approved (and ended) category assignments.

    A child is paid from the month after approval (HUHANG_PAY_FROM_MONTHS_AFTER_APPROVAL) until
    the month its category ends. Two queries to read, one bulk insert, one update per ended row.
    """
    today = today or timezone.localdate()
    offset = settings.HUHANG_PAY_FROM_MONTHS_AFTER_APPROVAL
    assignments = (
        CategoryAssignment.objects.filter(
            category__in=ALLOWANCE_CATEGORIES,
            status__in=[CategoryStatus.APPROVED, CategoryStatus.ENDED],
            effective_from__isnull=False,
        )
        .select_related("child")
        .values_list(
            "pk", "child_id", "category", "child__living", "effective_from", "effective_to"
        )
    )
    existing = dict(
        Entitlement.objects.filter(assignment__isnull=False).values_list("assignment_id", "pk")
    )
    new, ended = [], 0
    with transaction.atomic():
        for pk, child_id, category, living, start, end in assignments:
            ends_on = month_start(end) if end else None
            if pk in existing:
                ended += (
                    Entitlement.objects.filter(pk=existing[pk])
                    .exclude(ends_on=ends_on)
                    .update(ends_on=ends_on)
                )
                continue
            starts_on = add_months(month_start(start), offset)
            if ends_on is not None and ends_on < starts_on:
                continue
            new.append(
                Entitlement(
                    child_id=child_id,
                    programme_id=CATEGORY_PROGRAMMES[(category, living)],
                    starts_on=starts_on,
                    ends_on=ends_on,
                    assignment_id=pk,
                    basis=_("类别认定 #%(n)s") % {"n": pk},
                    created_by=by,
                )
            )
        Entitlement.objects.bulk_create(new, ignore_conflicts=True)
    return {"created": len(new), "ended": ended}


@transaction.atomic
def suspend(*, by, entitlement: Entitlement, from_month: date, reason: str) -> Suspension:
    """停发 from a month on, until resumed."""
    require(by, "benefits.manage")
    if not reason.strip():
        raise DomainError(_("停发须填写原因。"), field="reason")
    try:
        with transaction.atomic():
            suspension = Suspension.objects.create(
                entitlement=entitlement,
                from_month=month_start(from_month),
                reason=reason.strip(),
                suspended_by=by,
            )
    except IntegrityError as exc:
        raise DomainError(_("该资格已处于停发状态。")) from exc
    audit_child(by=by, child=entitlement.child, suspended=entitlement.programme_id, reason=reason)
    return suspension


@transaction.atomic
def resume(*, by, entitlement: Entitlement, from_month: date, reason: str) -> Suspension:
    """恢复 from a month on: the suspension covers the months before it. Months suspended are
    not paid afterwards; to pay them after all, end the suspension earlier."""
    require(by, "benefits.manage")
    if not reason.strip():
        raise DomainError(_("恢复发放须填写原因。"), field="reason")
    suspension = entitlement.suspensions.filter(to_month__isnull=True).first()
    if suspension is None:
        raise InvalidTransition(_("该资格未停发。"))
    last = add_months(month_start(from_month), -1)
    if last < suspension.from_month:
        raise DomainError(_("恢复月份不能早于停发月份。"), field="from_month")
    Suspension.objects.filter(pk=suspension.pk).update(
        to_month=last, resume_reason=reason.strip(), resumed_by=by
    )
    suspension.refresh_from_db()
    audit_child(by=by, child=entitlement.child, resumed=entitlement.programme_id, reason=reason)
    return suspension


# --- Payroll runs ---------------------------------------------------------------------------------


@transaction.atomic
def run_create(*, by, programme: Programme, month: date, supplementary: bool = False) -> PayrollRun:
    require(by, "benefits.manage")
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


def _claim(run: PayrollRun, expected: str, **fields) -> None:
    """Move a run on only if it is still in the expected state (two clicks, one step)."""
    if run.status != expected:
        raise InvalidTransition(
            _("批次当前状态为“%(s)s”，不能进行此操作。") % {"s": run.get_status_display()}
        )
    updated = PayrollRun.objects.filter(pk=run.pk, status=expected).update(**fields)
    if updated != 1:
        raise InvalidTransition(_("批次状态已被他人更改，请刷新后重试。"))
    run.refresh_from_db()


@transaction.atomic
def run_compute(*, by, run: PayrollRun, today: date | None = None) -> PayrollRun:
    """Compute a draft run's lines in the database, set-based. A crash rolls back everything;
    computing again then starts from nothing, and the lines' unique index refuses any double
    payment another run may have made meanwhile."""
    require(by, "benefits.manage")
    today = today or timezone.localdate()
    if run.status != RunStatus.DRAFT:
        raise InvalidTransition(_("只有草稿批次可以计算。"))
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
    _claim(
        run,
        RunStatus.DRAFT,
        status=RunStatus.COMPUTED,
        line_count=totals["n"],
        total_fen=totals["total"] or 0,
        computed_by=by,
        computed_at=timezone.now(),
    )
    _audit_run(by, run, "computed", lines=run.line_count, total_fen=run.total_fen)
    return run


@transaction.atomic
def run_approve(*, by, run: PayrollRun) -> PayrollRun:
    require(by, "benefits.approve")
    if run.computed_by_id == by.pk:
        raise NotAllowed(_("计算人不能审批自己计算的批次，须由另一名工作人员审批。"))
    _claim(
        run,
        RunStatus.COMPUTED,
        status=RunStatus.APPROVED,
        approved_by=by,
        approved_at=timezone.now(),
    )
    _audit_run(by, run, "approved")
    return run


@transaction.atomic
def run_mark_exported(*, by, run: PayrollRun, fmt: str) -> PayrollRun:
    """The first export freezes the run (it already is, since approval); later exports of the
    same run write the same lines again."""
    require(by, "benefits.manage")
    if run.status == RunStatus.APPROVED:
        _claim(
            run,
            RunStatus.APPROVED,
            status=RunStatus.EXPORTED,
            exported_by=by,
            exported_at=timezone.now(),
        )
    elif run.status != RunStatus.EXPORTED:
        raise InvalidTransition(_("只有已审批的批次可以导出银行文件。"))
    _audit_run(by, run, "exported", format=fmt)
    return run


@transaction.atomic
def run_apply_results(*, by, run: PayrollRun, results: dict[str, tuple[bool, str]]) -> PayrollRun:
    """Write the bank's result for every line (明细编号 → (success, reason)), then mark the
    run reconciled. The caller has checked the file; this checks again that it covers the run."""
    require(by, "benefits.manage")
    if run.status != RunStatus.EXPORTED:
        raise InvalidTransition(_("只有已导出的批次可以对账。"))
    lines = {line.line_id: line.pk for line in run.lines.only("pk", "seq", "run_id")}
    if set(results) != set(lines):
        raise DomainError(_("回盘文件的明细与本批次不一致。"))
    failed = {lines[k]: reason for k, (ok, reason) in results.items() if not ok}
    PayrollLine.objects.filter(run=run).exclude(pk__in=failed).update(
        status="paid", failure_reason=""
    )
    for pk, reason in failed.items():
        PayrollLine.objects.filter(pk=pk).update(
            status="failed", failure_reason=reason[:200] or _("未说明")
        )
    _claim(
        run,
        RunStatus.EXPORTED,
        status=RunStatus.RECONCILED,
        reconciled_by=by,
        reconciled_at=timezone.now(),
    )
    _audit_run(by, run, "reconciled", failed=len(failed))
    return run


@transaction.atomic
def run_close(*, by, run: PayrollRun) -> PayrollRun:
    require(by, "benefits.manage")
    _claim(run, RunStatus.RECONCILED, status=RunStatus.CLOSED, closed_at=timezone.now())
    _audit_run(by, run, "closed")
    return run


def run_totals_agree(run: PayrollRun) -> bool:
    totals = run.lines.aggregate(n=Count("pk"), total=Sum("amount_fen"))
    return totals["n"] == run.line_count and (totals["total"] or 0) == run.total_fen


# --- Scholarship (福彩圆梦·孤儿助学) and 金秋助学 lists ------------------------------------------

SCHOLARSHIP, AUTUMN_AID = "scholarship", "autumn-aid"


@transaction.atomic
def scholarship_enrol(
    *, by, child: Child, school_year: int, school: str, note: str = ""
) -> Entitlement:
    """福彩圆梦·孤儿助学: a student of 18 or more in full-time study who was an approved orphan or
    DFUC before turning 18 is paid once per school year, from 1 September of `school_year`."""
    require(by, "benefits.manage")
    starts_on = date(school_year, facts.SCHOOL_YEAR_START_MONTH, 1)
    person = child.person
    age = person.age_on(starts_on)
    if age < 18:
        raise DomainError(
            _("助学对象须年满18周岁：该学生在 %(day)s 时为 %(age)s 岁。")
            % {"day": f"{starts_on:%Y-%m-%d}", "age": age},
            field="school_year",
        )
    adult = facts.adult_on(person.birth_date)
    qualified = CategoryAssignment.objects.filter(
        child=child,
        category__in=ALLOWANCE_CATEGORIES,
        status__in=[CategoryStatus.APPROVED, CategoryStatus.ENDED],
        effective_from__lt=adult,
    ).exists()
    if not qualified:
        raise DomainError(
            _(
                "助学对象须在年满18周岁（%(day)s）前被认定为孤儿或事实无人抚养儿童；"
                "该学生没有这样的认定记录。"
            )
            % {"day": f"{adult:%Y-%m-%d}"}
        )
    overlapping = Entitlement.objects.filter(child=child, programme_id=SCHOLARSHIP).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if overlapping.exists():
        raise DomainError(_("该学生已在助学名单中（同一学年只资助一次）。"))
    basis = "；".join(part for part in (school.strip(), note.strip()) if part)
    try:
        with transaction.atomic():
            entitlement = Entitlement.objects.create(
                child=child,
                programme_id=SCHOLARSHIP,
                starts_on=starts_on,
                basis=basis[:200],
                created_by=by,
            )
    except IntegrityError as exc:
        raise DomainError(_("该学生已在助学名单中（同一学年只资助一次）。")) from exc
    audit_child(by=by, child=child, scholarship=f"{starts_on:%Y-%m}", school=school.strip())
    return entitlement


@transaction.atomic
def scholarship_leave(*, by, entitlement: Entitlement, left_on: date, reason: str) -> Entitlement:
    """The student left full-time study: the scholarship ends with the school year it left in
    (never before a school year already paid), so no later September pays it."""
    require(by, "benefits.manage")
    if entitlement.programme_id != SCHOLARSHIP:
        raise DomainError(_("这不是助学名单中的记录。"))
    if entitlement.ends_on is not None:
        raise DomainError(_("已登记该学生离开全日制学习。"))
    if not reason.strip():
        raise DomainError(_("请填写原因。"), field="reason")
    if left_on > timezone.localdate():
        raise DomainError(_("离开日期不能晚于今天。"), field="left_on")
    last_paid = (
        PayrollLine.objects.filter(child_id=entitlement.child_id, programme_id=SCHOLARSHIP)
        .exclude(status=LineStatus.FAILED)
        .aggregate(last=Max("for_month"))["last"]
    )
    ends_on = facts.school_year_start(left_on)
    if last_paid is not None and last_paid > ends_on:
        ends_on = last_paid
    if ends_on < entitlement.starts_on:
        raise DomainError(
            _("离开日期早于资助起始学年（%(start)s），请核对。")
            % {"start": f"{entitlement.starts_on:%Y-%m}"},
            field="left_on",
        )
    note = _("%(day)s 离开全日制学习：%(reason)s") % {
        "day": f"{left_on:%Y-%m-%d}",
        "reason": reason.strip(),
    }
    basis = "；".join(part for part in (entitlement.basis, note) if part)[:200]
    Entitlement.objects.filter(pk=entitlement.pk).update(ends_on=ends_on, basis=basis)
    entitlement.refresh_from_db()
    audit_child(
        by=by,
        child=entitlement.child,
        scholarship_ends=f"{ends_on:%Y-%m}",
        reason=reason.strip(),
    )
    return entitlement


LOW_INCOME = (AssistanceType.URBAN_DIBAO, AssistanceType.RURAL_DIBAO, AssistanceType.TEKUN)


@transaction.atomic
def autumn_aid_enrol(*, by, child: Child, month: date, school: str, note: str = "") -> Entitlement:
    """金秋助学: a graduating high-school student of a 低保 or 特困 household, once (an
    entitlement of one month: starts_on = ends_on)."""
    require(by, "benefits.manage")
    household = child.person.household
    if household is None or household.assistance not in LOW_INCOME:
        raise DomainError(
            _(
                "金秋助学面向低保、特困家庭的学生：该学生的家庭户未登记城乡低保或特困供养。"
                "请先在档案中核实并登记家庭救助类型。"
            )
        )
    if Entitlement.objects.filter(child=child, programme_id=AUTUMN_AID).exists():
        raise DomainError(_("该学生已在金秋助学名单中（一次性资助）。"))
    month = month.replace(day=1)
    basis = "；".join(part for part in (school.strip(), note.strip()) if part)
    entitlement = Entitlement.objects.create(
        child=child,
        programme_id=AUTUMN_AID,
        starts_on=month,
        ends_on=month,
        basis=basis[:200],
        created_by=by,
    )
    audit_child(by=by, child=child, autumn_aid=f"{month:%Y-%m}", assistance=household.assistance)
    return entitlement
