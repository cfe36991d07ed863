"""The screening factories make rows the services would have made: each workflow step by
another officer, unique ID numbers and fingerprints, models that pass their own validation."""

from __future__ import annotations

import pytest

from huhang.core import crypto, idnumber
from huhang.screening.models import LeadStatus, LinkStatus, RunStatus
from tests.factories.registry import ChildFactory
from tests.factories.screening import (
    FeedBatchFactory,
    LeadFactory,
    LinkReviewFactory,
    ScreeningRunFactory,
)


@pytest.mark.parametrize(
    ("trait", "status", "steps"),
    [
        ({}, LeadStatus.NEW, 0),
        ({"verified": True}, LeadStatus.VERIFIED, 1),
        ({"reviewed": True}, LeadStatus.REVIEWED, 2),
        ({"approved": True}, LeadStatus.APPROVED, 3),
        ({"returned": True}, LeadStatus.REJECTED, 1),
    ],
)
def test_lead_traits_walk_the_workflow_with_four_eyes(tree, trait, status, steps):
    lead = LeadFactory(division=tree["c1"], **trait)
    lead.full_clean()
    assert lead.status == status
    people = [lead.verified_by_id, lead.reviewed_by_id, lead.decided_by_id]
    assert len({p for p in people if p is not None}) == steps
    assert (lead.reject_reason != "") == (status == LeadStatus.REJECTED)


def test_a_lead_for_a_registered_child_copies_its_facts(tree):
    child = ChildFactory(division=tree["c2"])
    lead = LeadFactory(child=child, kind="left_behind")
    person = child.person
    assert (lead.name, lead.sex, lead.birth_date) == (person.name, person.sex, person.birth_date)
    assert lead.id_number == person.id_number
    assert lead.person_key == f"id:{crypto.blind_index(person.id_number)}"
    assert lead.division == tree["c2"] and lead.category == "left_behind"


def test_a_lead_for_a_new_child_has_a_valid_id_number_and_no_category_when_ending(tree):
    first, second = LeadFactory(division=tree["c1"]), LeadFactory(division=tree["c1"])
    assert first.child is None and first.id_number != second.id_number
    assert idnumber.parse(first.id_number).birth_date == first.birth_date
    assert first.fingerprint != second.fingerprint
    assert LeadFactory(division=tree["c1"], kind="deceased").category == ""


def test_link_reviews_batches_and_runs(tree):
    review = LinkReviewFactory(division=tree["c1"])
    review.full_clean()
    assert review.status == LinkStatus.OPEN and review.name == review.candidate_name
    assert LinkReviewFactory(division=tree["c1"], linked=True).resolved_by is not None
    FeedBatchFactory().full_clean()
    assert ScreeningRunFactory().status == RunStatus.DONE
    assert ScreeningRunFactory(queued=True).in_flight
