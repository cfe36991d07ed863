"""Every read of case work: lists and pages start from core.scope and record what they showed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from huhang.cases.models import (
    Alert,
    Case,
    CaseStatus,
    Domain,
    PlanAction,
    Referral,
    ReferralFollowUp,
    ReferralStatus,
    ServicePlan,
)
from huhang.cases.services import PLAN_STATES, SERVICE_STATES, TRANSITIONS
from huhang.core import scope
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.registry.selectors import audit_child

S = CaseStatus

# Which capability each step of services.TRANSITIONS needs (the services check the same).
STEP_CAPABILITY: dict[str, str] = {
    "assess": "case.work",
    "approve_plan": "case.approve",
    "start_service": "case.work",
    "review": "case.work",
    "resume": "case.work",
    "request_closure": "case.work",
    "approve_closure": "case.approve",
    "reject_closure": "case.approve",
    "reopen": "case.work",
}
# Work that does not change the state, and the states in which the services accept it
# (services.plan_draft, service_record, assessment_record, referral_send).
STATUS_LABELS = dict(CaseStatus.choices)


@dataclass(frozen=True)
class CaseFilter:
    status: str = ""
    risk: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def case_list(*, user, filters: CaseFilter) -> QuerySet[Case]:
    """The cases a user may see, newest first, with what a list row shows (a fixed number of
    queries whatever the page size). Records one search event; the caller paginates."""
    qs = scope.visible(user, Case)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.risk:
        qs = qs.filter(risk=filters.risk)
    audit_record(
        by=user,
        action=AuditAction.SEARCH,
        object_type="case",
        label="个案列表",  # stored as data: the trail reads the same in every UI language
        detail=filters.as_dict(),
    )
    return qs.select_related("child__person", "child__division", "project").order_by(
        "-opened_at", "-pk"
    )


def allowed_steps(user, case: Case) -> set[str]:
    """The steps the user may take on the case now: the state allows it and the role carries it.
    Plan approval, a step per plan, is decided per plan (see `case_page`)."""
    steps = {
        step
        for step, table in TRANSITIONS.items()
        if case.status in table and can(user, STEP_CAPABILITY[step])
    }
    if can(user, "case.work"):
        if case.status != S.CLOSED:
            steps |= {"assess", "refer"}
        if case.status in PLAN_STATES:
            steps.add("plan")
        if case.status in SERVICE_STATES:
            steps.add("service")
    return steps


def case_page(*, user, pk) -> Case:
    """Everything on a case's page, in a fixed number of queries; records a view."""
    case = scope.get(user, Case, pk, "child__person", "child__division", "project")
    case.event_list = list(case.events.select_related("by"))
    for event in case.event_list:
        event.from_label = STATUS_LABELS.get(event.from_status, "")
        event.to_label = STATUS_LABELS.get(event.to_status, event.to_status)
    case.assessment_list = list(case.assessments.select_related("assessor"))
    for assessment in case.assessment_list:
        assessment.rows = [
            (d.label, assessment.scores.get(d.value), assessment.notes.get(d.value, ""))
            for d in Domain
        ]
    actions = PlanAction.objects.order_by("due_on", "pk")
    case.plan_list = list(
        case.plans.select_related("drafted_by", "approved_by").prefetch_related(
            Prefetch("actions", queryset=actions, to_attr="action_list")
        )
    )
    approver = can(user, "case.approve")
    for plan in case.plan_list:
        plan.can_approve = approver and plan.approved_at is None and plan.drafted_by_id != user.pk
    case.service_list = list(case.services.select_related("worker"))
    case.service_minutes = sum(s.minutes for s in case.service_list)
    case.service_hours = round(case.service_minutes / 60, 1)
    follow_ups = ReferralFollowUp.objects.select_related("by").order_by("on", "pk")
    case.referral_list = list(
        case.referrals.select_related("sent_by").prefetch_related(
            Prefetch("follow_ups", queryset=follow_ups, to_attr="follow_up_list")
        )
    )
    for referral in case.referral_list:
        referral.steps = referral_steps(user, referral)
    case.alert_list = list(case.alerts.filter(acknowledged_at__isnull=True))
    case.steps = allowed_steps(user, case)
    audit_child(by=user, child=case.child, action=AuditAction.VIEW, case=case.pk)
    return case


def plan_for_user(*, user, pk) -> ServicePlan:
    plan = (
        ServicePlan.objects.filter(pk=pk, case__in=scope.visible(user, Case))
        .select_related("case__child__person")
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def referral_for_user(*, user, pk) -> Referral:
    referral = (
        Referral.objects.filter(pk=pk, case__in=scope.visible(user, Case))
        .select_related("case__child__person")
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def alert_for_user(*, user, pk) -> Alert:
    alert = (
        Alert.objects.filter(pk=pk, case__in=scope.visible(user, Case))
        .select_related("case__child__person")
        .first()
    )
    if alert is None:
        raise Http404
    return alert


# --- What waits for a person (the workbench's inbox composes these) ---------------------------


def plans_waiting(user) -> QuerySet[ServicePlan] | None:
    """Plans to approve: by someone other than their author (services.plan_approve)."""
    if not can(user, "case.approve"):
        return None
    return (
        ServicePlan.objects.filter(approved_at__isnull=True, case__in=scope.visible(user, Case))
        .exclude(case__status=CaseStatus.CLOSED)
        .exclude(drafted_by=user)
        .select_related("case__child__person", "drafted_by")
        .order_by("drafted_at", "pk")
    )


def closures_waiting(user) -> QuerySet[Case] | None:
    if not can(user, "case.approve"):
        return None
    return (
        scope.visible(user, Case)
        .filter(status=CaseStatus.CLOSING)
        .select_related("child__person", "closure_requested_by")
        .order_by("opened_at", "pk")
    )


def alerts_waiting(user) -> QuerySet[Alert] | None:
    """High-risk alerts not yet acknowledged: a supervisor its street's, the bureau the
    district's (the cases the user sees)."""
    if not can(user, "case.approve"):
        return None
    return (
        Alert.objects.filter(acknowledged_at__isnull=True, case__in=scope.visible(user, Case))
        .select_related("case__child__person")
        .order_by("created_at", "pk")
    )


def referrals_overdue(user, today: date) -> QuerySet[Referral] | None:
    """Referrals sent at least HUHANG_REFERRAL_ANSWER_DAYS ago and still without an answer."""
    if not can(user, "case.work"):
        return None
    limit = today - timedelta(days=settings.HUHANG_REFERRAL_ANSWER_DAYS)
    return (
        Referral.objects.filter(
            status=ReferralStatus.SENT, sent_on__lte=limit, case__in=scope.visible(user, Case)
        )
        .select_related("case__child__person")
        .order_by("sent_on", "pk")
    )


def referral_steps(user, referral: Referral) -> set[str]:
    """What may be done to a referral now (services.referral_answer / follow_up / close)."""
    if not can(user, "case.work"):
        return set()
    steps = set()
    if referral.status == ReferralStatus.SENT:
        steps.add("answer")
    if referral.status != ReferralStatus.DONE:
        steps.add("follow_up")
    if referral.status == ReferralStatus.ANSWERED:
        steps.add("close")
    return steps
