"""Service-level rules not reachable from a single page: plan actions, closed cases, note size."""

from __future__ import annotations

import pytest
from django.utils import timezone

from huhang.cases import services
from huhang.cases.models import Case
from huhang.core.exceptions import DomainError, InvalidTransition
from tests.cases.test_case_workflow import _plan, advance


@pytest.fixture
def case(users, children):
    return services.case_open(
        by=users["director"], child=children["xiaohai"], source="school", summary="学校反映孩子孤僻"
    )


def test_plan_action_is_marked_done_once(users, case):
    advance(case, "assessed", users)
    plan = _plan(case, users["director"])
    action = plan.actions.get()
    services.plan_action_done(by=users["director"], action=action, done_on=timezone.localdate())
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    with pytest.raises(InvalidTransition):
        services.plan_action_done(by=users["director"], action=action, done_on=timezone.localdate())


def test_closed_case_refuses_plan_approval_and_follow_ups(users, case):
    advance(case, "assessed", users)
    plan = _plan(case, users["director"])
    referral = services.referral_send(
        by=users["director"],
        case=case,
        agency="housing",
        agency_name="昆都仑区住建局",
        request="申请廉租房",
        sent_on=timezone.localdate(),
    )
    services.case_request_closure(by=users["director"], case=case, reason="家庭已搬离本区")
    services.case_approve_closure(by=users["supervisor"], case=case)
    plan.case.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.plan_approve(by=users["supervisor"], plan=plan)
    referral.case.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.referral_follow_up(
            by=users["director"], referral=referral, on=timezone.localdate(), note="电话催办"
        )


def test_overlong_note_is_refused_before_anything_changes(users, case):
    with pytest.raises(DomainError):
        services.case_request_closure(by=users["director"], case=case, reason="长" * 301)
    assert Case.objects.get(pk=case.pk).status == "open"
