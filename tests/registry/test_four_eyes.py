"""Four eyes on protection (issue 12, part 2): a category is proposed, verified and approved by
three different people; ending an approved one is proposed by one person and confirmed by
another; an effective date beyond HUHANG_BACKDATE_MONTHS needs a reason given before approval
and shown to the approver. In the services and in the database; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from huhang.core.dates import add_months
from huhang.core.exceptions import DomainError, NotAllowed
from huhang.core.roles import Role
from huhang.registry import services
from huhang.registry.models import CategoryAssignment
from tests.factories.base import UserFactory
from tests.factories.registry import CategoryFactory


@pytest.fixture
def bureau2(tree):
    return UserFactory(username="bureau2", role=Role.BUREAU, division=tree["district"])


def _propose(by, child, **kw):
    return services.category_propose(
        by=by, child=child, category="orphan", basis="父母双亡（死亡证明）", **kw
    )


def test_one_officer_cannot_take_the_whole_path(users, children):
    """The issue's case: `bureau` proposed, verified and approved alone. Now the second step
    by the same person is refused, and so is an approval by the proposer or the verifier."""
    bureau = users["bureau"]
    assignment = _propose(bureau, children["xiaohai"])
    with pytest.raises(NotAllowed):
        services.category_verify(by=bureau, assignment=assignment)
    services.category_verify(by=users["supervisor"], assignment=assignment)
    with pytest.raises(NotAllowed):
        services.category_approve(by=bureau, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.status == "verified"


def test_three_people_approve(users, children, bureau2):
    assignment = _propose(users["director"], children["xiaohai"])
    services.category_verify(by=users["supervisor"], assignment=assignment)
    services.category_approve(by=bureau2, assignment=assignment)
    row = CategoryAssignment.objects.get(pk=assignment.pk)
    assert row.status == "approved"
    assert len({row.proposed_by_id, row.verified_by_id, row.approved_by_id}) == 3
    assert row.effective_from == timezone.localdate()


@pytest.mark.parametrize(
    "same",
    [
        {"verified_by": "proposer"},
        {"approved_by": "proposer"},
        {"approved_by": "verifier"},
    ],
)
def test_the_database_refuses_one_person_in_two_steps(users, children, same):
    people = {"proposer": users["director"], "verifier": users["supervisor"]}
    fields = {key: people[who] for key, who in same.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryFactory(
            child=children["xiaohai"],
            approved=True,
            proposed_by=users["director"],
            **{"verified_by": users["supervisor"], "approved_by": users["bureau"], **fields},
        )


def test_the_database_refuses_an_approval_without_verification(users, children):
    row = CategoryFactory(child=children["xiaohai"], approved=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryAssignment.objects.filter(pk=row.pk).update(verified_at=None)


def test_ending_needs_a_second_person(users, children, bureau2):
    assignment = CategoryFactory(child=children["xiaohai"], approved=True)
    services.category_end(by=users["bureau"], assignment=assignment, reason="被收养")
    assignment.refresh_from_db()
    assert assignment.status == "approved"  # still paid and protected until confirmed
    with pytest.raises(NotAllowed):
        services.category_end_confirm(by=users["bureau"], assignment=assignment)
    services.category_end_confirm(by=bureau2, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.status == "ended" and assignment.ended_reason == "被收养"
    assert assignment.effective_to == timezone.localdate()


def test_the_database_refuses_an_end_without_a_second_person(users, children):
    assignment = CategoryFactory(child=children["xiaohai"], approved=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryAssignment.objects.filter(pk=assignment.pk).update(
            status="ended", ended_reason="x", ended_by=users["bureau"]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryAssignment.objects.filter(pk=assignment.pk).update(
            status="ended",
            ended_reason="x",
            ended_by=users["bureau"],
            end_proposed_by=users["bureau"],
            end_proposed_at=timezone.now(),
        )


def test_a_candidate_is_rejected_by_one_person(users, children):
    assignment = _propose(users["director"], children["xiaohai"])
    services.category_end(by=users["supervisor"], assignment=assignment, reason="不符合条件")
    assignment.refresh_from_db()
    assert assignment.status == "ended"


def test_back_dating_beyond_the_limit_needs_a_reason_shown_to_the_approver(
    users, children, bureau2, login
):
    """The issue's three years back: refused without a reason; with one, the approval page
    shows it and the approver may approve from that date (not earlier)."""
    today = timezone.localdate()
    three_years = add_months(today, -36)
    with pytest.raises(DomainError):
        _propose(users["director"], children["xiaohai"], effective_from=three_years)
    assignment = _propose(
        users["director"],
        children["xiaohai"],
        effective_from=three_years,
        backdate_reason="2023年父母双亡，当时未申报，依补认定规定追溯",
    )
    services.category_verify(by=users["supervisor"], assignment=assignment)
    url = reverse("registry:category_step", args=[assignment.pk, "approve"])
    page = login(bureau2).get(url).content.decode()
    assert "2023年父母双亡，当时未申报" in page and three_years.isoformat() in page
    with pytest.raises(DomainError):
        services.category_approve(
            by=bureau2, assignment=assignment, effective_from=three_years - timedelta(days=1)
        )
    response = login(bureau2).post(url, {"effective_from": three_years.isoformat()})
    assert response.status_code == 302
    row = CategoryAssignment.objects.get(pk=assignment.pk)
    assert row.status == "approved" and row.effective_from == three_years
    assert row.backdate_floor == add_months(today, -3)


def test_the_approver_cannot_back_date_without_a_reason(users, children, bureau2, settings):
    settings.HUHANG_BACKDATE_MONTHS = 6
    today = timezone.localdate()
    assignment = _propose(users["director"], children["xiaohai"])
    services.category_verify(by=users["supervisor"], assignment=assignment)
    with pytest.raises(DomainError):
        services.category_approve(
            by=bureau2, assignment=assignment, effective_from=add_months(today, -7)
        )
    services.category_approve(
        by=bureau2, assignment=assignment, effective_from=add_months(today, -5)
    )


def test_the_database_refuses_back_dating_without_a_reason(users, children):
    today = timezone.localdate()
    row = CategoryFactory(
        child=children["xiaohai"],
        approved=True,
        effective_from=today - timedelta(days=30),
        backdate_floor=add_months(today, -3),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryAssignment.objects.filter(pk=row.pk).update(
            effective_from=row.backdate_floor - timedelta(days=1)
        )
    CategoryAssignment.objects.filter(pk=row.pk).update(
        effective_from=row.backdate_floor - timedelta(days=1), backdate_reason="补认定"
    )


def test_end_through_the_pages(users, children, bureau2, login):
    assignment = CategoryFactory(child=children["xiaohai"], approved=True)
    step = "registry:category_step"
    supervisor = login(users["supervisor"])
    supervisor.post(reverse(step, args=[assignment.pk, "end"]), {"reason": "母亲恢复联系"})
    archive = reverse("workbench:child_detail", args=[children["xiaohai"].pk])
    page = login(users["bureau"]).get(archive).content.decode()
    assert "终止待确认" in page and "确认终止" in page
    response = login(users["bureau"]).post(
        reverse(step, args=[assignment.pk, "confirm-end"]), {"confirm": "on"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == "ended" and assignment.ended_by == users["bureau"]
