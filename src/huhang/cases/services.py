"""Every write of the case aggregate (cases, assessments, plans, services, referrals, alerts):
keyword-only, one transaction each, acting user passed in, audited on the child's trail.
Transitions are data (TRANSITIONS); anything else is refused. Home visits and emergency
protection write in their own sub-packages (cases.visits, cases.emergency).

Every state change is one conditional UPDATE through core.access.claim: of two people acting on
the same record at once (or one acting on a stale page), exactly one succeeds and the other gets
a clear refusal instead of a silently doubled or overwritten step.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.cases.models import (
    Alert,
    Assessment,
    Case,
    CaseEvent,
    CaseStatus,
    Domain,
    PlanAction,
    Referral,
    ReferralFollowUp,
    ReferralStatus,
    Risk,
    ServicePlan,
    ServiceProject,
    ServiceRecord,
)
from huhang.core import scope
from huhang.core.access import claim, require
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.validation import check_period, create_checked, in_scope, not_future, required_text
from huhang.registry.models import Child, ChildAssignment
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from huhang.accounts.models import User

S = CaseStatus

# Which state may follow which, and through which step. A reader can check the whole workflow
# here: open → assessed → plan approved → in service → reviewed → (closing → closed); reopening
# a closed case starts again at open and keeps the history.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "assess": {S.OPEN: frozenset({S.ASSESSED})},
    "approve_plan": {S.ASSESSED: frozenset({S.PLAN_APPROVED})},
    "start_service": {S.PLAN_APPROVED: frozenset({S.IN_SERVICE})},
    "review": {S.IN_SERVICE: frozenset({S.REVIEWED})},
    "resume": {S.REVIEWED: frozenset({S.IN_SERVICE})},
    "request_closure": {
        S.OPEN: frozenset({S.CLOSING}),
        S.ASSESSED: frozenset({S.CLOSING}),
        S.REVIEWED: frozenset({S.CLOSING}),
    },
    "approve_closure": {S.CLOSING: frozenset({S.CLOSED})},
    "reject_closure": {S.CLOSING: frozenset({S.OPEN, S.ASSESSED, S.REVIEWED})},
    "reopen": {S.CLOSED: frozenset({S.OPEN})},
}
# States in which a plan may be drafted (after assessment) and services recorded (after approval).
PLAN_STATES = frozenset({S.ASSESSED, S.PLAN_APPROVED, S.IN_SERVICE, S.REVIEWED})
SERVICE_STATES = frozenset({S.PLAN_APPROVED, S.IN_SERVICE, S.REVIEWED})
NOTE_MAX = 300
# A closure's fields, as reopening leaves them (the case's history keeps the closure).
NOT_CLOSED: dict[str, Any] = {
    "closed_at": None,
    "closed_by": None,
    "closure_reason": "",
    "closure_requested_by": None,
}


def _not_future(day: date | None, field: str) -> None:
    not_future(day, _("日期不能晚于今天。"), field=field)


def _own(by: User, case_pk: int) -> None:
    """404 unless the user may see the case: a write is scoped like a read, whoever calls it
    (a view has already checked; the command line, the API or another service may not have)."""
    scope.get(by, Case, case_pk)


def _move(case: Case, step: str, to: str, *, by: User, note: str = "", **fields: Any) -> Case:
    """Apply one transition if the case is (still) in a state that allows it.

    The UPDATE is conditional on the state read, so two people acting on the same case at once
    cannot both succeed; the loser gets a clear refusal instead of a silently doubled step.
    """
    if len(note) > NOTE_MAX:
        raise DomainError(_("说明不能超过%(n)s个字。") % {"n": NOTE_MAX}, field="note")
    allowed = TRANSITIONS[step].get(case.status, frozenset())
    if to not in allowed:
        raise InvalidTransition(
            _("个案当前状态为“%(status)s”，不能进行此操作。")
            % {"status": case.get_status_display()}
        )
    claim(
        Case.objects.filter(pk=case.pk, status=case.status),
        refusal=_("个案状态已被他人更改，请刷新后重试。"),
        status=to,
        version=F("version") + 1,
        **fields,
    )
    CaseEvent.objects.create(case=case, by=by, from_status=case.status, to_status=to, note=note)
    audit_child(by=by, child=case.child, case=case.pk, step=step, to=to)
    case.status = to
    for key, value in fields.items():
        setattr(case, key, value)
    return case


def _alert_if_high(case: Case, before: str) -> None:
    if case.risk == Risk.HIGH and before != Risk.HIGH:
        Alert.objects.create(
            case=case,
            message=_("高风险个案：%(name)s（%(reason)s）")
            % {"name": case.child.person.name, "reason": case.risk_reason},
        )


@transaction.atomic
def case_open(
    *,
    by: User,
    child: Child,
    source: str,
    summary: str,
    source_detail: str = "",
    project: ServiceProject | None = None,
    risk: str = "",
    risk_reason: str = "",
) -> Case:
    require(by, "case.work")
    in_scope(by, child, _("找不到该儿童档案。"))
    # The project's organisation will see the child (_entrust): only a project the user sees.
    if project is not None:
        in_scope(by, project, _("找不到该服务项目。"), field="project", purpose="entrust")
    summary = required_text(summary, _("请填写基本情况。"), field="summary")
    if risk and not risk_reason.strip():
        raise DomainError(_("请说明风险等级的理由。"), field="risk_reason")
    case = create_checked(
        Case,
        child=child,
        source=source,
        source_detail=source_detail,
        summary=summary,
        project=project,
        risk=risk,
        risk_reason=risk_reason.strip(),
        opened_by=by,
    )
    CaseEvent.objects.create(case=case, by=by, to_status=S.OPEN, note=_("立案"))
    if project is not None:
        _entrust(child, project)
    _alert_if_high(case, before="")
    audit_child(by=by, child=child, action="create", case=case.pk, source=source)
    return case


def _entrust(child: Child, project: ServiceProject) -> None:
    """The project's social workers must see the child whose case they serve."""
    if not ChildAssignment.objects.filter(
        child=child, organisation_id=project.contractor_id, until__isnull=True
    ).exists():
        ChildAssignment.objects.create(
            child=child, organisation_id=project.contractor_id, reason=project.name
        )


# Risk rule (documented for the user on the assessment page): each domain is scored 0 (no
# concern), 1 (some), 2 (serious) or 3 (severe). Any domain at 3 → high; any domain at 2, or a
# total of 6 or more → medium; otherwise low. The assessor may override with a reason.
def compute_risk(scores: dict[str, int]) -> str:
    values = list(scores.values())
    if any(v >= 3 for v in values):
        return Risk.HIGH
    if any(v == 2 for v in values) or sum(values) >= 6:
        return Risk.MEDIUM
    return Risk.LOW


@transaction.atomic
def assessment_record(
    *,
    by: User,
    case: Case,
    assessed_on: date,
    scores: dict[str, int],
    notes: dict[str, str] | None = None,
    risk: str | None = None,
    override_reason: str = "",
) -> Assessment:
    require(by, "case.work")
    _own(by, case.pk)
    _not_future(assessed_on, "assessed_on")
    closed = _("个案已结案，不能评估。")
    if case.status == S.CLOSED:
        raise InvalidTransition(closed)
    missing = [d.label for d in Domain if d.value not in scores]
    if missing:
        raise DomainError(_("请为每个领域打分：%(d)s") % {"d": "、".join(map(str, missing))})
    if any(not isinstance(v, int) or not 0 <= v <= 3 for v in scores.values()):
        raise DomainError(_("每个领域的得分应为0到3。"))
    computed = compute_risk(scores)
    final = risk or computed
    if final != computed and not override_reason.strip():
        raise DomainError(_("调整风险等级须说明理由。"), field="override_reason")
    assessment = Assessment.objects.create(
        case=case,
        assessed_on=assessed_on,
        assessor=by,
        scores=scores,
        notes=notes or {},
        computed_risk=computed,
        risk=final,
        override_reason=override_reason.strip(),
    )
    before = case.risk
    reason = override_reason.strip() or _("评估结果（%(date)s）") % {
        "date": assessed_on.isoformat()
    }
    # A case closed since the page was read takes no assessment (the whole step rolls back).
    claim(
        Case.objects.filter(pk=case.pk).exclude(status=S.CLOSED),
        refusal=closed,
        risk=final,
        risk_reason=reason,
    )
    case.risk, case.risk_reason = final, reason
    if case.status == S.OPEN:
        _move(case, "assess", S.ASSESSED, by=by)
    else:
        audit_child(by=by, child=case.child, case=case.pk, assessment=assessment.pk, risk=final)
    _alert_if_high(case, before)
    return assessment


@transaction.atomic
def plan_draft(*, by: User, case: Case, goals: str, actions: list[dict[str, Any]]) -> ServicePlan:
    """A plan with its actions (each: action, responsible, due_on)."""
    require(by, "case.work")
    _own(by, case.pk)
    if case.status not in PLAN_STATES:
        raise InvalidTransition(_("须先完成评估，才能制定服务计划。"))
    goals = required_text(goals, _("请填写服务目标。"), field="goals")
    if not actions:
        raise DomainError(_("服务计划至少包含一项措施。"), field="actions")
    plan = ServicePlan.objects.create(case=case, goals=goals, drafted_by=by)
    for item in actions:
        action = PlanAction(plan=plan, **item)
        action.full_clean(exclude=["plan"])
        action.save()
    audit_child(by=by, child=case.child, case=case.pk, plan=plan.pk)
    return plan


@transaction.atomic
def plan_approve(*, by: User, plan: ServicePlan) -> ServicePlan:
    require(by, "case.approve")
    _own(by, plan.case_id)
    approved = _("该服务计划已批准。")
    if plan.approved_at is not None:
        raise InvalidTransition(approved)
    if plan.case.status not in PLAN_STATES:
        raise InvalidTransition(_("个案当前状态不能批准服务计划。"))
    if plan.drafted_by_id == by.pk:
        raise NotAllowed(_("服务计划须由制定人以外的督导员或民政局工作人员批准。"))
    now = timezone.now()
    claim(
        ServicePlan.objects.filter(pk=plan.pk, approved_at__isnull=True),
        refusal=approved,
        approved_by=by,
        approved_at=now,
    )
    plan.approved_by, plan.approved_at = by, now
    case = plan.case
    if case.status == S.ASSESSED:
        _move(case, "approve_plan", S.PLAN_APPROVED, by=by)
    return plan


@transaction.atomic
def plan_action_done(*, by: User, action: PlanAction, done_on: date) -> PlanAction:
    require(by, "case.work")
    _own(by, action.plan.case_id)
    _not_future(done_on, "done_on")
    done = _("该措施已完成。")
    if action.done_on is not None:
        raise InvalidTransition(done)
    if action.plan.case.status == S.CLOSED:
        raise InvalidTransition(_("个案已结案。"))
    claim(
        PlanAction.objects.filter(pk=action.pk, done_on__isnull=True),
        refusal=done,
        done_on=done_on,
    )
    action.done_on = done_on
    audit_child(
        by=by, child=action.plan.case.child, case=action.plan.case_id, action_done=action.pk
    )
    return action


@transaction.atomic
def service_record(
    *, by: User, case: Case, kind: str, delivered_on: date, minutes: int, note: str = ""
) -> ServiceRecord:
    require(by, "case.work")
    _own(by, case.pk)
    _not_future(delivered_on, "delivered_on")
    if case.status not in SERVICE_STATES:
        raise InvalidTransition(_("服务计划批准后才能记录服务。"))
    if not 0 < minutes <= 24 * 60:
        raise DomainError(_("服务时长应在1分钟到24小时之间。"), field="minutes")
    record = create_checked(
        ServiceRecord,
        case=case,
        kind=kind,
        delivered_on=delivered_on,
        minutes=minutes,
        worker=by,
        project=case.project,
        note=note,
    )
    if case.status == S.PLAN_APPROVED:
        _move(case, "start_service", S.IN_SERVICE, by=by)
    else:
        audit_child(by=by, child=case.child, case=case.pk, service=record.pk)
    return record


@transaction.atomic
def case_review(*, by: User, case: Case, note: str) -> Case:
    require(by, "case.work")
    _own(by, case.pk)
    note = required_text(note, _("请填写评估回顾意见。"), field="note")
    return _move(case, "review", S.REVIEWED, by=by, note=note)


@transaction.atomic
def case_resume(*, by: User, case: Case, note: str = "") -> Case:
    require(by, "case.work")
    _own(by, case.pk)
    return _move(case, "resume", S.IN_SERVICE, by=by, note=note)


@transaction.atomic
def case_request_closure(*, by: User, case: Case, reason: str) -> Case:
    require(by, "case.work")
    _own(by, case.pk)
    reason = required_text(reason, _("结案须填写原因。"), field="reason")
    return _move(
        case,
        "request_closure",
        S.CLOSING,
        by=by,
        note=reason,
        closure_reason=reason,
        closure_requested_by=by,
    )


@transaction.atomic
def case_approve_closure(*, by: User, case: Case) -> Case:
    require(by, "case.approve")
    _own(by, case.pk)
    return _move(case, "approve_closure", S.CLOSED, by=by, closed_at=timezone.now(), closed_by=by)


@transaction.atomic
def case_reject_closure(*, by: User, case: Case, note: str) -> Case:
    require(by, "case.approve")
    _own(by, case.pk)
    note = required_text(note, _("退回结案申请须说明理由。"), field="note")
    previous = (
        case.events.exclude(to_status=S.CLOSING)
        .order_by("-at", "-pk")
        .values_list("to_status", flat=True)
        .first()
        or S.OPEN
    )
    return _move(case, "reject_closure", previous, by=by, note=note, closure_reason="")


@transaction.atomic
def case_reopen(*, by: User, case: Case, reason: str) -> Case:
    require(by, "case.work")
    _own(by, case.pk)
    reason = required_text(reason, _("重新开案须说明理由。"), field="reason")
    return _move(case, "reopen", S.OPEN, by=by, note=reason, **NOT_CLOSED)


@transaction.atomic
def alert_acknowledge(*, by: User, alert: Alert) -> Alert:
    require(by, "case.approve")
    _own(by, alert.case_id)
    claim(
        Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True),
        refusal=_("该预警已确认。"),
        acknowledged_by=by,
        acknowledged_at=timezone.now(),
    )
    alert.refresh_from_db()
    return alert


# --- Referrals -----------------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *, by: User, case: Case, agency: str, agency_name: str, request: str, sent_on: date
) -> Referral:
    require(by, "case.work")
    _own(by, case.pk)
    _not_future(sent_on, "sent_on")
    if case.status == S.CLOSED:
        raise InvalidTransition(_("个案已结案，不能转介。"))
    request = required_text(request, _("请填写转介事项。"), field="request")
    referral = create_checked(
        Referral,
        case=case,
        agency=agency,
        agency_name=agency_name.strip(),
        request=request,
        sent_on=sent_on,
        sent_by=by,
    )
    audit_child(by=by, child=case.child, case=case.pk, referral=referral.pk, agency=agency)
    return referral


@transaction.atomic
def referral_answer(
    *, by: User, referral: Referral, response: str, responded_on: date, resolved: bool
) -> Referral:
    """Record the agency's answer: resolved (已答复) or declined (未予解决)."""
    require(by, "case.work")
    _own(by, referral.case_id)
    _not_future(responded_on, "responded_on")
    answered = _("该转介已有答复。")
    if referral.status != ReferralStatus.SENT:
        raise InvalidTransition(answered)
    check_period(
        referral.sent_on, responded_on, _("答复日期不能早于转介日期。"), field="responded_on"
    )
    response = required_text(response, _("请填写答复内容。"), field="response")
    status = ReferralStatus.ANSWERED if resolved else ReferralStatus.DECLINED
    claim(
        Referral.objects.filter(pk=referral.pk, status=ReferralStatus.SENT),
        refusal=answered,
        status=status,
        response=response,
        responded_on=responded_on,
    )
    referral.refresh_from_db()
    audit_child(by=by, child=referral.case.child, referral=referral.pk, answer=status)
    return referral


@transaction.atomic
def referral_follow_up(*, by: User, referral: Referral, on: date, note: str) -> ReferralFollowUp:
    require(by, "case.work")
    _own(by, referral.case_id)
    _not_future(on, "on")
    if referral.status == ReferralStatus.DONE:
        raise InvalidTransition(_("该转介已办结。"))
    if referral.case.status == S.CLOSED:
        raise InvalidTransition(_("个案已结案，不能再跟进。"))
    check_period(referral.sent_on, on, _("跟进日期不能早于转介日期。"), field="on")
    note = required_text(note, _("请填写跟进情况。"), field="note")
    entry = ReferralFollowUp.objects.create(referral=referral, on=on, by=by, note=note)
    audit_child(by=by, child=referral.case.child, referral=referral.pk, follow_up=entry.pk)
    return entry


@transaction.atomic
def referral_close(*, by: User, referral: Referral, closed_on: date) -> Referral:
    require(by, "case.work")
    _own(by, referral.case_id)
    _not_future(closed_on, "closed_on")
    answered_only = _("只有已答复的转介可以办结。")
    if referral.status != ReferralStatus.ANSWERED or referral.responded_on is None:
        raise InvalidTransition(answered_only)
    check_period(
        referral.responded_on, closed_on, _("办结日期不能早于答复日期。"), field="closed_on"
    )
    claim(
        Referral.objects.filter(pk=referral.pk, status=ReferralStatus.ANSWERED),
        refusal=answered_only,
        status=ReferralStatus.DONE,
        closed_on=closed_on,
    )
    referral.refresh_from_db()
    audit_child(by=by, child=referral.case.child, referral=referral.pk, closed=str(closed_on))
    return referral
