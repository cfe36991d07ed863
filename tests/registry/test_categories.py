"""The category timeline: candidate → verified → approved → ended, by the right roles only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.models import AuditEvent
from huhang.registry import services
from huhang.registry.models import CategoryAssignment
from tests.factories.registry import CategoryFactory


@pytest.fixture
def proposed(users, children):
    return services.category_propose(
        by=users["director"],
        child=children["xiaohai"],
        category="dfuc",
        basis="父亲服刑（刑期3年），母亲失联（公安受理已满6个月）",
    )


def test_full_path_through_the_web(users, children, login):
    child = children["xiaohai"]
    login(users["director"]).post(
        reverse("registry:category_create", args=[child.pk]),
        {"category": "orphan", "basis": "父母双亡，有死亡证明"},
    )
    assignment = CategoryAssignment.objects.get(child=child)
    assert assignment.status == "candidate" and assignment.proposed_by == users["director"]
    step = "registry:category_step"
    supervisor = login(users["supervisor"])
    supervisor.post(reverse(step, args=[assignment.pk, "verify"]), {"note": "入户核实属实"})
    bureau = login(users["bureau"])
    today = timezone.localdate()
    bureau.post(reverse(step, args=[assignment.pk, "approve"]), {"effective_from": today})
    assignment.refresh_from_db()
    assert assignment.status == "approved"
    assert assignment.approved_by == users["bureau"] and assignment.effective_from == today
    page = bureau.get(reverse("workbench:child_detail", args=[child.pk])).content.decode()
    assert "已认定" in page and "父母双亡" in page
    steps = [e.detail["step"] for e in AuditEvent.objects.filter(detail__has_key="step")]
    assert sorted(steps) == ["approved", "proposed", "verified"]


def test_director_cannot_approve(users, proposed, login):
    services.category_verify(by=users["supervisor"], assignment=proposed)
    url = reverse("registry:category_step", args=[proposed.pk, "approve"])
    response = login(users["director"]).post(url, {"effective_from": timezone.localdate()})
    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == "verified"


def test_cannot_approve_before_verification(users, proposed):
    with pytest.raises(InvalidTransition):
        services.category_approve(
            by=users["bureau"], assignment=proposed, effective_from=timezone.localdate()
        )


def test_approval_cannot_take_effect_in_the_future(users, proposed):
    services.category_verify(by=users["supervisor"], assignment=proposed)
    with pytest.raises(DomainError):
        services.category_approve(
            by=users["bureau"],
            assignment=proposed,
            effective_from=timezone.localdate() + timedelta(days=5),
        )


def test_ending_needs_a_reason(users, proposed):
    with pytest.raises(DomainError):
        services.category_end(by=users["director"], assignment=proposed, reason="  ")


def test_ending_an_approved_category_is_proposed_then_confirmed_by_the_bureau(users, proposed):
    services.category_verify(by=users["supervisor"], assignment=proposed)
    services.category_approve(
        by=users["bureau"], assignment=proposed, effective_from=timezone.localdate()
    )
    services.category_end(by=users["supervisor"], assignment=proposed, reason="母亲恢复联系")
    proposed.refresh_from_db()
    assert proposed.status == "approved" and proposed.end_proposed_reason == "母亲恢复联系"
    with pytest.raises(NotAllowed):  # a supervisor proposes; only the bureau confirms
        services.category_end_confirm(by=users["supervisor"], assignment=proposed)
    services.category_end_confirm(by=users["bureau"], assignment=proposed)
    proposed.refresh_from_db()
    assert proposed.status == "ended" and proposed.ended_reason == "母亲恢复联系"
    assert proposed.ended_by == users["bureau"]


def test_one_open_assignment_per_category(users, children, proposed):
    with pytest.raises(DomainError):
        services.category_propose(
            by=users["director"], child=children["xiaohai"], category="dfuc", basis="重复"
        )
    services.category_end(by=users["director"], assignment=proposed, reason="经核实不符合")
    again = services.category_propose(
        by=users["director"], child=children["xiaohai"], category="dfuc", basis="再次提出"
    )
    assert again.status == "candidate"


def test_stale_second_verification_is_refused(users, proposed):
    stale = CategoryAssignment.objects.get(pk=proposed.pk)
    services.category_verify(by=users["supervisor"], assignment=proposed)
    # The stale copy still says "candidate"; the conditional UPDATE catches it.
    with pytest.raises(InvalidTransition):
        services.category_verify(by=users["bureau"], assignment=stale)


def test_stale_second_approval_and_ending_are_refused_and_change_nothing(users, proposed):
    services.category_verify(by=users["supervisor"], assignment=proposed)
    stale = CategoryAssignment.objects.get(pk=proposed.pk)
    today = timezone.localdate()
    services.category_approve(by=users["bureau"], assignment=proposed, effective_from=today)
    with pytest.raises(InvalidTransition):
        services.category_approve(by=users["bureau"], assignment=stale, effective_from=today)
    services.category_end(by=users["supervisor"], assignment=proposed, reason="年满18周岁")
    with pytest.raises(InvalidTransition):
        services.category_end(by=users["bureau"], assignment=stale, reason="另一个原因")
    with pytest.raises(InvalidTransition):  # the end is already proposed
        services.category_end_propose(by=users["director"], assignment=proposed, reason="再提")
    services.category_end_confirm(by=users["bureau"], assignment=proposed)
    row = CategoryAssignment.objects.get(pk=proposed.pk)
    assert (row.status, row.ended_reason) == ("ended", "年满18周岁")


def test_out_of_scope_assignment_is_404(users, proposed, login):
    url = reverse("registry:category_step", args=[proposed.pk, "verify"])
    assert login(users["director2"]).get(url).status_code == 404
    assert login(users["director"]).get(url).status_code == 200


def test_database_refuses_an_approval_without_approver_fields(children):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryFactory(child=children["xiaohai"], category="orphan", status="approved")
