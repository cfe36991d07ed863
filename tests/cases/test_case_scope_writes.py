"""Case services are scoped like the case pages (issue 12, "scope on every write"): called
without a view — the command line, the API, another service — a step on a case the user may not
see is 404 and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from huhang.cases import services
from huhang.cases.models import Case, CaseEvent
from tests.factories.cases import AlertFactory, CaseFactory, ReferralFactory


@pytest.fixture
def village_case(users, children):
    return CaseFactory(child=children["village"], assessed=True, opened_by=users["director2"])


def test_steps_on_another_streets_case_are_404(users, village_case):
    sup = users["supervisor"]
    referral = ReferralFactory(case=village_case)
    alert = AlertFactory(case=village_case)
    calls = [
        lambda: services.case_review(by=sup, case=village_case, note="复核"),
        lambda: services.case_request_closure(by=sup, case=village_case, reason="目标达成"),
        lambda: services.case_reopen(by=sup, case=village_case, reason="再次求助"),
        lambda: services.service_record(
            by=sup, case=village_case, kind="counselling", delivered_on=date(2026, 1, 5), minutes=30
        ),
        lambda: services.referral_send(
            by=sup,
            case=village_case,
            agency="housing",
            agency_name="住建局",
            request="廉租房",
            sent_on=date(2026, 1, 5),
        ),
        lambda: services.referral_close(by=sup, referral=referral, closed_on=date(2026, 1, 6)),
        lambda: services.alert_acknowledge(by=sup, alert=alert),
    ]
    events, status = CaseEvent.objects.count(), village_case.status
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert CaseEvent.objects.count() == events
    assert Case.objects.get(pk=village_case.pk).status == status
    # The same step on the user's own side is not refused by scope.
    director2 = users["director2"]
    services.case_request_closure(by=director2, case=village_case, reason="目标达成")
    assert Case.objects.get(pk=village_case.pk).status == "closing"


def test_a_plan_action_on_another_streets_case_is_404_and_stays_open(users, children):
    case = CaseFactory(child=children["village"], plan_approved=True, opened_by=users["director2"])
    action = case.plans.get().actions.get()
    with pytest.raises(Http404):
        services.plan_action_done(by=users["supervisor"], action=action, done_on=date(2026, 1, 5))
    action.refresh_from_db()
    assert action.done_on is None
    services.plan_action_done(by=users["director2"], action=action, done_on=date(2026, 1, 5))
    action.refresh_from_db()
    assert action.done_on == date(2026, 1, 5)
