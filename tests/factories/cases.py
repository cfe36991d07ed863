"""Case work: purchased-service projects, cases along their workflow, assessments, plans,
referrals, home visits, emergency protection and alerts.

Rows are written as the services leave them (states with the fields their constraints ask for),
without going through the services: a test of the workflow itself calls the services. Dates
count from today, so a test that pins the clock (time_machine) gets rows dated from then.
"""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from huhang.cases.models import (
    Alert,
    Assessment,
    Case,
    CaseStatus,
    Domain,
    EmergencyProtection,
    HomeVisit,
    PlanAction,
    Referral,
    ReferralStatus,
    Risk,
    ServicePlan,
    ServiceProject,
    ServiceRecord,
)
from huhang.core.roles import Role
from tests.factories.base import OrganisationFactory, UserFactory
from tests.factories.registry import ChildFactory


def _today() -> date:
    return timezone.localdate()


def _days_ago(days: int):
    return factory.LazyFunction(lambda: _today() - timedelta(days=days))


def _worker(role: str = Role.DIRECTOR):
    return factory.SubFactory(UserFactory, role=role)


class ServiceProjectFactory(factory.django.DjangoModelFactory):
    """A purchased-service project running from a year ago to a year ahead."""

    class Meta:
        model = ServiceProject

    name = factory.Sequence(lambda n: f"测试项目{n}")
    contractor = factory.SubFactory(OrganisationFactory)
    starts_on = _days_ago(365)
    ends_on = factory.LazyFunction(lambda: _today() + timedelta(days=365))


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    """An hour of counselling delivered yesterday on the case's project by a social worker."""

    class Meta:
        model = ServiceRecord

    case = factory.SubFactory("tests.factories.cases.CaseFactory")
    kind = "counselling"
    delivered_on = _days_ago(1)
    minutes = 60
    worker = _worker(Role.SOCIAL_WORKER)
    project = factory.SelfAttribute("case.project")


def _assessment():
    return factory.RelatedFactory(
        "tests.factories.cases.AssessmentFactory", factory_related_name="case"
    )


def _plan(*, approved: bool):
    return factory.RelatedFactory(
        "tests.factories.cases.ServicePlanFactory", factory_related_name="case", approved=approved
    )


class CaseFactory(factory.django.DjangoModelFactory):
    """An open case opened by a director. Traits put it further along the workflow, with what
    the services would have left: `high_risk=True` (with its reason), `assessed=True`,
    `with_plan=True` (assessed, a plan waiting for approval), `plan_approved=True`,
    `closing=True`, `closed=True`."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory)
    source = "worker"
    summary = "测试个案"
    opened_by = _worker()
    risk = ""
    risk_reason = factory.LazyAttribute(lambda o: "测试" if o.risk else "")

    class Params:
        high_risk = factory.Trait(risk=Risk.HIGH)
        assessed = factory.Trait(status=CaseStatus.ASSESSED, assessment=_assessment())
        with_plan = factory.Trait(
            status=CaseStatus.ASSESSED, assessment=_assessment(), plan=_plan(approved=False)
        )
        plan_approved = factory.Trait(
            status=CaseStatus.PLAN_APPROVED, assessment=_assessment(), plan=_plan(approved=True)
        )
        closing = factory.Trait(
            status=CaseStatus.CLOSING,
            closure_reason="测试结案",
            closure_requested_by=factory.SelfAttribute("opened_by"),
        )
        closed = factory.Trait(
            status=CaseStatus.CLOSED,
            closure_reason="测试结案",
            closure_requested_by=factory.SelfAttribute("opened_by"),
            closed_at=factory.LazyFunction(timezone.now),
            closed_by=_worker(Role.SUPERVISOR),
        )


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment today with no concern in any domain (low risk)."""

    class Meta:
        model = Assessment

    case = factory.SubFactory(CaseFactory)
    assessed_on = factory.LazyFunction(_today)
    assessor = factory.SelfAttribute("case.opened_by")
    scores = factory.LazyFunction(lambda: dict.fromkeys(Domain.values, 0))
    computed_risk = Risk.LOW
    risk = Risk.LOW


class ServicePlanFactory(factory.django.DjangoModelFactory):
    """A plan drafted for an assessed case, with one action due in a month; `approved=True`
    has it approved by a supervisor (not its author, as services.plan_approve wants)."""

    class Meta:
        model = ServicePlan
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory, assessed=True)
    goals = "测试服务目标"
    drafted_by = factory.SelfAttribute("case.opened_by")
    first_action = factory.RelatedFactory(
        "tests.factories.cases.PlanActionFactory", factory_related_name="plan"
    )

    class Params:
        approved = factory.Trait(
            approved_by=_worker(Role.SUPERVISOR),
            approved_at=factory.LazyFunction(timezone.now),
        )


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(ServicePlanFactory, first_action=None)
    action = "心理疏导"
    responsible = "童心有梦"
    due_on = factory.LazyFunction(lambda: _today() + timedelta(days=30))


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral to the housing bureau sent 20 days ago, waiting for its answer; traits:
    `answered=True` (answered 10 days ago), `done=True` (answered, then closed 2 days ago)."""

    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory, assessed=True)
    agency = "housing"
    agency_name = "昆都仑区住建局"
    request = "申请廉租房"
    sent_on = _days_ago(20)
    sent_by = factory.SelfAttribute("case.opened_by")

    class Params:
        answered = factory.Trait(
            status=ReferralStatus.ANSWERED, response="已受理", responded_on=_days_ago(10)
        )
        done = factory.Trait(
            status=ReferralStatus.DONE,
            response="已受理",
            responded_on=_days_ago(10),
            closed_on=_days_ago(2),
        )


class HomeVisitFactory(factory.django.DjangoModelFactory):
    """A home visit a month ago, the next one due in two months."""

    class Meta:
        model = HomeVisit

    child = factory.SubFactory(ChildFactory)
    visited_on = _days_ago(30)
    next_due = factory.LazyAttribute(lambda o: o.visited_on + timedelta(days=90))
    visitor = _worker()
    findings = "正常"


class EmergencyFactory(factory.django.DjangoModelFactory):
    """An open emergency protection: the child taken in two days ago and placed in the rescue
    centre by the bureau; `resolved=True` returns the child yesterday."""

    class Meta:
        model = EmergencyProtection

    child = factory.SubFactory(ChildFactory)
    situation = "unidentified"
    taken_in_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    placement = "rescue"
    placement_detail = "包头市未成年人救助保护中心"
    opened_by = _worker(Role.BUREAU)

    class Params:
        resolved = factory.Trait(
            outcome="returned",
            outcome_detail="经评估送回",
            resolved_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            resolved_by=factory.SelfAttribute("opened_by"),
        )


class AlertFactory(factory.django.DjangoModelFactory):
    """A high-risk alert on a high-risk case, not yet acknowledged."""

    class Meta:
        model = Alert

    case = factory.SubFactory(CaseFactory, high_risk=True)
    message = "高风险"
