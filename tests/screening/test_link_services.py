"""link_reviews_store and link_review_resolve: routing, no duplicates, claims, audit."""

from __future__ import annotations

from datetime import date

import pytest

from huhang.core.exceptions import ConcurrentEdit, NotAllowed
from huhang.core.models import AuditEvent
from huhang.screening.links.services import link_review_resolve, link_reviews_store
from huhang.screening.models import FeedBatch, LinkReview, LinkStatus
from tests.factories.screening import FeedBatchFactory, ScreeningRunFactory

BIRTH = date(2014, 5, 17)


def batch() -> FeedBatch:
    return FeedBatchFactory(source="education")


def candidate(b: FeedBatch, row: int = 2, **more) -> dict:
    c = {
        "batch": b.pk,
        "row": row,
        "student_number": f"G{row:04d}",
        "name": "张伟",
        "sex": "M",
        "birth_date": BIRTH,
        "school": "昆都仑区第一小学",
        "hukou_code": "150203005001",
        "residence_code": "150203005002",
        "candidate_id_number": "150203201405170011",
        "candidate_name": "张伟",
        "candidate_sex": "M",
        "candidate_birth_date": BIRTH,
        "candidate_hukou_code": "150203005001",
        "candidate_residence_code": None,
        "match_probability": 0.5,
        "second_probability": 0.5,
        "reason": "homonym",
    }
    c.update(more)
    return c


def test_store_keeps_the_rows_facts_and_routes_by_residence(tree, users):
    b = batch()
    run = ScreeningRunFactory(started_by=users["bureau"])
    assert link_reviews_store(run=run, candidates=[candidate(b)]) == 1
    review = LinkReview.objects.get()
    assert (review.batch_id, review.row, review.status) == (b.pk, 2, LinkStatus.OPEN)
    assert review.division_id == tree["c2"].code  # where the child lives
    assert review.region_code == tree["c2"].code
    assert review.candidate_birth_date == BIRTH and review.match_probability == 0.5
    assert review.detail["student_number"] == "G0002"
    assert review.detail["reason"] == "homonym"
    assert review.detail["run"] == run.pk
    event = AuditEvent.objects.get(object_type="linkreview")
    assert event.action == "create" and event.user_id == users["bureau"].pk


@pytest.mark.parametrize(
    ("residence", "hukou", "division"),
    [
        ("150203005099", None, "150203005"),  # unknown community: its street
        (None, "150203100201", "150203100201"),  # no residence: household registration
        ("150203777001", None, "150203"),  # unknown street: the district
        ("110101001001", None, "150203"),  # elsewhere: the root
        (None, None, "150203"),
    ],
)
def test_store_routes_to_the_nearest_known_ancestor(tree, residence, hukou, division):
    link_reviews_store(
        run=None, candidates=[candidate(batch(), residence_code=residence, hukou_code=hukou)]
    )
    assert LinkReview.objects.get().division_id == division


def test_store_does_not_ask_twice(tree, users):
    first = batch()
    assert link_reviews_store(run=None, candidates=[candidate(first), candidate(first, 3)]) == 2
    # The same rows again (the next screening): nothing new.
    assert link_reviews_store(run=None, candidates=[candidate(first), candidate(first, 3)]) == 0
    # Next month's snapshot: the same students on other rows, even after a decision.
    decided = LinkReview.objects.get(row=2)
    link_review_resolve(by=users["supervisor"], review=decided, same_person=False)
    second = batch()
    again = [
        candidate(second, 7, student_number="G0002"),
        candidate(second, 8, student_number="G0003"),
    ]
    assert link_reviews_store(run=None, candidates=again) == 0
    # Another candidate for the same row is a new question.
    other = candidate(first, candidate_id_number="150203201405170037")
    assert link_reviews_store(run=None, candidates=[other, other]) == 1
    assert LinkReview.objects.count() == 3


def test_store_of_nothing(tree):
    assert link_reviews_store(run=None, candidates=[]) == 0


@pytest.mark.parametrize("same", [True, False])
def test_a_supervisor_resolves(tree, users, same):
    link_reviews_store(run=None, candidates=[candidate(batch())])
    review = LinkReview.objects.get()
    link_review_resolve(by=users["supervisor"], review=review, same_person=same)
    review.refresh_from_db()
    assert review.status == (LinkStatus.LINKED if same else LinkStatus.DISTINCT)
    assert review.resolved_by == users["supervisor"] and review.resolved_at is not None
    event = AuditEvent.objects.get(object_type="linkreview", action="change")
    assert event.object_id == str(review.pk) and event.user_id == users["supervisor"].pk
    # The candidate's full ID number is not written into the trail.
    assert "150203201405170011" not in str(event.detail)


def test_two_people_cannot_both_decide(tree, users):
    link_reviews_store(run=None, candidates=[candidate(batch())])
    seen_by_supervisor = LinkReview.objects.get()
    seen_by_bureau = LinkReview.objects.get()
    link_review_resolve(by=users["supervisor"], review=seen_by_supervisor, same_person=True)
    with pytest.raises(ConcurrentEdit):
        link_review_resolve(by=users["bureau"], review=seen_by_bureau, same_person=False)
    seen_by_bureau.refresh_from_db()
    assert seen_by_bureau.status == LinkStatus.LINKED
    assert seen_by_bureau.resolved_by == users["supervisor"]


@pytest.mark.parametrize("role", ["director", "auditor", "dataofficer", "socialworker"])
def test_other_roles_may_not_decide(tree, users, role):
    link_reviews_store(run=None, candidates=[candidate(batch())])
    review = LinkReview.objects.get()
    with pytest.raises(NotAllowed):
        link_review_resolve(by=users[role], review=review, same_person=True)
    review.refresh_from_db()
    assert review.status == LinkStatus.OPEN


def test_a_decision_outside_the_users_area_is_refused(tree, users):
    """The service checks the scope itself, whoever calls it (the page looks the review up in
    the user's scope first; another caller might not)."""
    link_reviews_store(
        run=None, candidates=[candidate(batch(), residence_code=tree["village"].code)]
    )
    village = LinkReview.objects.get()
    with pytest.raises(NotAllowed):
        link_review_resolve(by=users["supervisor"], review=village, same_person=True)
    village.refresh_from_db()
    assert village.status == LinkStatus.OPEN and village.resolved_by is None
