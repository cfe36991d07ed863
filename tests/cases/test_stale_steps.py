"""A step taken twice on the same record, the second time from a stale copy (two people on the
same page, or one in two tabs): the second is refused and changes nothing.

Every state change claims its row with one conditional UPDATE (core.access.claim); these are the
steps whose UPDATE once ignored the row count, or had no state condition at all, and passed a
second time in silence.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from huhang.cases import services
from huhang.cases.emergency import services as emergency_services
from huhang.cases.models import (
    Alert,
    Assessment,
    Case,
    CaseStatus,
    EmergencyProtection,
    PlanAction,
    Referral,
    ServicePlan,
)
from huhang.core.exceptions import InvalidTransition
from tests.factories.cases import (
    AlertFactory,
    CaseFactory,
    EmergencyFactory,
    ReferralFactory,
    ServicePlanFactory,
)


def copies(model, pk, *related):
    """Two copies of one row, as two pages read it before either acts."""
    return [model.objects.select_related(*related).get(pk=pk) for _ in range(2)]


def today():
    return timezone.localdate()


@pytest.fixture
def case(users, children):
    return CaseFactory(child=children["xiaohai"], opened_by=users["director"], assessed=True)


@pytest.mark.parametrize("status", [CaseStatus.ASSESSED, CaseStatus.IN_SERVICE])
def test_second_approval_of_a_plan_is_refused(status, users, case):
    """Approving a further plan of a case in service moves no state: its UPDATE had no
    condition, and a second supervisor's approval overwrote the first in silence."""
    Case.objects.filter(pk=case.pk).update(status=status)
    plan = ServicePlanFactory(case=case, drafted_by=users["director"])
    first, second = copies(ServicePlan, plan.pk, "case")
    services.plan_approve(by=users["supervisor"], plan=first)
    with pytest.raises(InvalidTransition):
        services.plan_approve(by=users["bureau"], plan=second)
    plan.refresh_from_db()
    assert plan.approved_by == users["supervisor"]
    assert plan.approved_at == first.approved_at


def test_second_acknowledgement_of_an_alert_is_refused(users, case, login):
    alert = AlertFactory(case=case)
    first, second = copies(Alert, alert.pk)
    services.alert_acknowledge(by=users["supervisor"], alert=first)
    with pytest.raises(InvalidTransition):
        services.alert_acknowledge(by=users["bureau"], alert=second)
    alert.refresh_from_db()
    assert alert.acknowledged_by == users["supervisor"]
    # From the inbox in a second tab: the refusal is a page, not a second "acknowledged".
    response = login(users["bureau"]).post(reverse("cases:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 409
    alert.refresh_from_db()
    assert alert.acknowledged_by == users["supervisor"]


def test_a_plan_action_done_twice_is_refused(users, case):
    action = ServicePlanFactory(case=case, drafted_by=users["director"]).actions.get()
    first, second = copies(PlanAction, action.pk, "plan__case")
    services.plan_action_done(by=users["director"], action=first, done_on=today())
    with pytest.raises(InvalidTransition):
        services.plan_action_done(
            by=users["director"], action=second, done_on=today() - timedelta(days=1)
        )
    action.refresh_from_db()
    assert action.done_on == today()


def test_second_answer_to_a_referral_is_refused(users, case):
    referral = ReferralFactory(case=case, sent_by=users["director"])
    first, second = copies(Referral, referral.pk, "case")
    services.referral_answer(
        by=users["director"], referral=first, response="同意", responded_on=today(), resolved=True
    )
    with pytest.raises(InvalidTransition):
        services.referral_answer(
            by=users["supervisor"],
            referral=second,
            response="改口",
            responded_on=today(),
            resolved=False,
        )
    referral.refresh_from_db()
    assert (referral.status, referral.response) == ("answered", "同意")


def test_second_closing_of_a_referral_is_refused(users, case):
    """Closing had no state condition at all: a second close moved the closing date."""
    referral = ReferralFactory(case=case, sent_by=users["director"], answered=True)
    first, second = copies(Referral, referral.pk, "case")
    yesterday = today() - timedelta(days=1)
    services.referral_close(by=users["director"], referral=first, closed_on=yesterday)
    with pytest.raises(InvalidTransition):
        services.referral_close(by=users["supervisor"], referral=second, closed_on=today())
    referral.refresh_from_db()
    assert (referral.status, referral.closed_on) == ("done", yesterday)


def test_assessing_a_case_closed_meanwhile_is_refused(users, case):
    """The risk's UPDATE had no state condition: a page read before the closure assessed the
    closed case and changed its risk."""
    stale = Case.objects.get(pk=case.pk)
    services.case_request_closure(by=users["director"], case=case, reason="已迁出本区")
    services.case_approve_closure(by=users["supervisor"], case=case)
    with pytest.raises(InvalidTransition):
        services.assessment_record(
            by=users["director"],
            case=stale,
            assessed_on=today(),
            scores={"safety": 3, "health": 0, "education": 0, "psychology": 0, "family": 0}
            | {"living": 0, "support": 0},
        )
    assert Assessment.objects.filter(case=case).count() == 1  # the factory's
    case.refresh_from_db()
    assert (case.status, case.risk) == ("closed", "")
    assert not Alert.objects.filter(case=case).exists()


# These two counted the rows by hand before; they now claim like the others.


def test_a_transition_from_a_stale_state_is_refused(users, children):
    case = CaseFactory(child=children["xiaohai"], opened_by=users["director"], closing=True)
    first, second = copies(Case, case.pk, "child")
    services.case_approve_closure(by=users["supervisor"], case=first)
    with pytest.raises(InvalidTransition, match="已被他人更改"):
        services.case_approve_closure(by=users["bureau"], case=second)
    case.refresh_from_db()
    assert (case.status, case.closed_by, case.version) == ("closed", users["supervisor"], 2)
    assert list(case.events.values_list("to_status", flat=True)) == ["closed"]


def test_second_resolution_of_an_emergency_is_refused(users, children):
    emergency = EmergencyFactory(child=children["xiaohai"], opened_by=users["bureau"])
    first, second = copies(EmergencyProtection, emergency.pk, "child")
    moment = timezone.now().replace(microsecond=0)
    emergency_services.emergency_resolve(
        by=users["bureau"], emergency=first, outcome="returned", outcome_detail="送回",
        resolved_at=moment - timedelta(hours=2),
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        emergency_services.emergency_resolve(
            by=users["bureau"], emergency=second, outcome="long_term", outcome_detail="长期监护",
            resolved_at=moment,
        )  # fmt: skip
    emergency.refresh_from_db()
    assert (emergency.outcome, emergency.resolved_at) == ("returned", moment - timedelta(hours=2))
