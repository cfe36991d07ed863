"""Every read of the case aggregate: lists and pages start from core.scope and record what they
showed; one access helper per record (`<thing>_for_user`: the row, or 404 out of scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db.models import Model, Prefetch, QuerySet

from huhang.cases.models import (
    Alert,
    Case,
    CaseStatus,
    Domain,
    Referral,
    ReferralFollowUp,
    ReferralStatus,
    ServicePlan,
)

# A child's risk colour is decided in cases.risk; re-exported as the app's public reads.
from huhang.cases.risk import RiskColour as RiskColour
from huhang.cases.risk import risk_colour as risk_colour
from huhang.cases.risk import risk_colours as risk_colours
from huhang.cases.services import PLAN_STATES, SERVICE_STATES, TRANSITIONS
from huhang.core import scope
from huhang.core.access import get_or_404
from huhang.core.audit import audit_search
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.registry.models import Child
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from huhang.accounts.models import User
    from huhang.cases.models import Assessment, CaseEvent, ServiceRecord

M = TypeVar("M", bound=Model)
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
STATUS_LABELS = dict(CaseStatus.choices)


@dataclass(frozen=True)
class CaseFilter:
    """The list's filters, each a Case field (blank: not filtered)."""

    status: str = ""
    risk: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def case_list(*, user: User, filters: CaseFilter) -> QuerySet[Case]:
    """The cases a user may see, newest first, with what a list row shows (a fixed number of
    queries whatever the page size). Records one search event; the caller paginates."""
    qs = scope.visible(user, Case).filter(**filters.as_dict())  # the filters given, no others
    audit_search(by=user, object_type="case", label="个案列表", **filters.as_dict())
    return qs.select_related("child__person", "child__division", "project").order_by(
        "-opened_at", "-pk"
    )


def allowed_steps(user: User, case: Case) -> set[str]:
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


def referral_steps(user: User, referral: Referral) -> set[str]:
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


# --- A case's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    """A step of the case's history with its states' labels."""

    event: CaseEvent
    from_label: StrOrPromise
    to_label: StrOrPromise


@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    scores: list[tuple[StrOrPromise, int | None, str]]  # (domain, score, note), Domain's order


@dataclass(frozen=True)
class PlanRow:
    plan: ServicePlan
    can_approve: bool  # the user approves plans and did not draft this one


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    steps: set[str]


@dataclass(frozen=True)
class CasePage:
    """Everything a case's page shows (fetched by `case_page`; the template only reads it)."""

    case: Case
    steps: set[str]
    alerts: list[Alert]
    events: list[EventRow]
    assessments: list[AssessmentRow]
    plans: list[PlanRow]
    services: list[ServiceRecord]
    referrals: list[ReferralRow]

    @property
    def service_minutes(self) -> int:
        return sum(s.minutes for s in self.services)

    @property
    def service_hours(self) -> float:
        return round(self.service_minutes / 60, 1)


def case_page(*, user: User, pk: object) -> CasePage:
    """Everything on a case's page, in a fixed number of queries; records a view."""
    case = case_for_user(user=user, pk=pk)
    approver = can(user, "case.approve")
    plans = case.plans.select_related("drafted_by", "approved_by").prefetch_related("actions")
    follow_ups = ReferralFollowUp.objects.select_related("by").order_by("on", "pk")
    referrals = case.referrals.select_related("sent_by").prefetch_related(
        Prefetch("follow_ups", queryset=follow_ups)
    )
    page = CasePage(
        case=case,
        steps=allowed_steps(user, case),
        alerts=list(case.alerts.filter(acknowledged_at__isnull=True)),
        events=[
            EventRow(
                event,
                STATUS_LABELS.get(event.from_status, ""),
                STATUS_LABELS.get(event.to_status, event.to_status),
            )
            for event in case.events.select_related("by")
        ],
        assessments=[
            AssessmentRow(
                a, [(d.label, a.scores.get(d.value), a.notes.get(d.value, "")) for d in Domain]
            )
            for a in case.assessments.select_related("assessor")
        ],
        plans=[
            PlanRow(plan, approver and plan.approved_at is None and plan.drafted_by_id != user.pk)
            for plan in plans
        ],
        services=list(case.services.select_related("worker")),
        referrals=[ReferralRow(r, referral_steps(user, r)) for r in referrals],
    )
    audit_child(by=user, child=case.child, action=AuditAction.VIEW, case=case.pk)
    return page


# --- Access helpers: the record, or 404 when it is out of the user's scope ----------------------


def case_for_user(*, user: User, pk: object) -> Case:
    return scope.get(user, Case, pk, "child__person", "child__division", "project")


def _on_visible_cases(user: User, model: type[M]) -> QuerySet[M]:
    """Rows of a model that hangs on a case, for the cases the user may see."""
    return model._default_manager.filter(case__in=scope.visible(user, Case)).select_related(
        "case__child__person"
    )


def plan_for_user(*, user: User, pk: object) -> ServicePlan:
    return get_or_404(_on_visible_cases(user, ServicePlan), pk)


def referral_for_user(*, user: User, pk: object) -> Referral:
    return get_or_404(_on_visible_cases(user, Referral), pk)


def alert_for_user(*, user: User, pk: object) -> Alert:
    return get_or_404(_on_visible_cases(user, Alert), pk)


def child_cases(*, user: User, child: Child, open_only: bool = False) -> QuerySet[Case]:
    """The child's cases the user may see, newest first: those a home visit (open ones only)
    or an emergency protection may be linked to."""
    cases = scope.visible(user, Case).filter(child=child).order_by("-opened_at", "-pk")
    return cases.exclude(status=CaseStatus.CLOSED) if open_only else cases


# --- What waits for a person (the workbench's inbox composes these) ---------------------------


def plans_waiting(user: User) -> QuerySet[ServicePlan] | None:
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


def closures_waiting(user: User) -> QuerySet[Case] | None:
    if not can(user, "case.approve"):
        return None
    return (
        scope.visible(user, Case)
        .filter(status=CaseStatus.CLOSING)
        .select_related("child__person", "closure_requested_by")
        .order_by("opened_at", "pk")
    )


def alerts_waiting(user: User) -> QuerySet[Alert] | None:
    """High-risk alerts not yet acknowledged: a supervisor its street's, the bureau the
    district's (the cases the user sees)."""
    if not can(user, "case.approve"):
        return None
    return (
        Alert.objects.filter(acknowledged_at__isnull=True, case__in=scope.visible(user, Case))
        .select_related("case__child__person")
        .order_by("created_at", "pk")
    )


def referrals_overdue(user: User, today: date) -> QuerySet[Referral] | None:
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
