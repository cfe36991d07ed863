"""The leads workflow services: who may take which step, what approval does in the registry."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huhang.benefits.models import Entitlement
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.models import AuditEvent
from huhang.registry.models import (
    CategoryAssignment,
    Child,
    Document,
    Household,
    Person,
)
from huhang.screening.leads import services
from huhang.screening.models import Lead
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory
from tests.factories.screening import EVIDENCE_WORDS, LeadFactory
from tests.screening.test_leads_support import NEW_CHILD, approved

pytestmark = pytest.mark.usefixtures("pinned_clock")

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _events(lead, step):
    return AuditEvent.objects.filter(object_type="lead", object_id=str(lead.pk), detail__step=step)


# --- Verification -------------------------------------------------------------------------------


def test_director_verifies_a_lead_of_its_community_with_documents(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    photo = SimpleUploadedFile("visit.png", PNG, content_type="image/png")
    services.lead_verify(
        by=users["director"], lead=lead, note="入户走访，父亲已故属实", documents=[photo]
    )
    lead.refresh_from_db()
    assert lead.status == "verified"
    assert lead.verified_by == users["director"] and lead.verified_at is not None
    assert lead.verify_note == "入户走访，父亲已故属实"
    assert lead.version == 2
    document = Document.objects.get(child=children["xiaohai"])
    assert document.kind == "certificate" and f"#{lead.pk}" in document.title
    event = _events(lead, "verified").get()
    assert event.username == "director" and event.detail["documents"] == [document.pk]


def test_verification_needs_a_note(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    with pytest.raises(DomainError) as err:
        services.lead_verify(by=users["director"], lead=lead, note="  ")
    assert err.value.field == "note"
    lead.refresh_from_db()
    assert lead.status == "new"


def test_director_cannot_verify_another_communitys_lead(users, children, tree):
    lead = LeadFactory(division=tree["village"], child=children["village"])
    with pytest.raises(NotAllowed):
        services.lead_verify(by=users["director"], lead=lead, note="看过")
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_unregistered_child_is_registered_at_verification_from_the_leads_facts(users, tree):
    lead = LeadFactory(division=tree["c1"], kind="dfuc", **NEW_CHILD)
    other_kind = LeadFactory(
        division=tree["c1"], kind="left_behind", **NEW_CHILD, id_number=lead.id_number
    )
    services.lead_verify(
        by=users["director"],
        lead=lead,
        note="入户核实：父亲服刑，母亲失联",
        register={"name": "赵小新", "address": "友谊一社区3号楼"},
    )
    lead.refresh_from_db()
    child = lead.child
    assert child is not None and lead.status == "verified"
    assert child.person.id_number == lead.id_number
    assert child.person.birth_date == date(2017, 5, 4) and child.person.sex == "M"
    assert child.division == tree["c1"] and child.address == "友谊一社区3号楼"
    assert child.registered_by == users["director"]
    # The person's other lead now points to the archive too (set-based).
    assert Lead.objects.get(pk=other_kind.pk).child == child
    assert AuditEvent.objects.filter(
        object_type="child", object_id=str(child.pk), action="create"
    ).exists()


def test_flagged_lead_routed_to_the_street_is_registered_in_the_chosen_community(users, tree):
    unknown = tree["street"].code + "099"  # a community the tree does not have
    lead = LeadFactory(division=tree["street"], region_code=unknown, region_flagged=True)
    services.lead_verify(
        by=users["supervisor"],
        lead=lead,
        note="实为友谊二社区居民",
        register={"division": tree["c2"]},
    )
    lead.refresh_from_db()
    assert lead.child.division == tree["c2"]
    assert lead.division == tree["c2"]  # re-routed to the community now known
    assert lead.region_flagged  # the history keeps that the feed's code was unknown


def test_refused_registration_leaves_nothing(users, tree):
    lead = LeadFactory(division=tree["c1"], **NEW_CHILD)
    before = Person.objects.count()
    with pytest.raises(DomainError):
        services.lead_verify(
            by=users["director"],
            lead=lead,
            note="走访",
            register={"id_number": "150203201705040771"},  # wrong check digit
        )
    lead.refresh_from_db()
    assert lead.status == "new" and lead.child is None and lead.version == 1
    assert Person.objects.count() == before
    assert not _events(lead, "verified").exists()


def test_child_registered_meanwhile_is_linked_not_registered_twice(users, tree):
    lead = LeadFactory(division=tree["c1"], **NEW_CHILD)
    person = PersonFactory(
        name="赵小新", sex="M", birth_date=lead.birth_date, id_number=lead.id_number
    )
    existing = ChildFactory(person=person, division=tree["c1"])
    services.lead_verify(by=users["director"], lead=lead, note="已建档")
    assert Lead.objects.get(pk=lead.pk).child == existing
    assert Child.objects.filter(person=person).count() == 1


def test_an_ending_lead_without_an_archive_cannot_be_verified(users, tree):
    lead = LeadFactory(division=tree["c1"], kind="deceased")
    with pytest.raises(DomainError, match="尚未建档"):
        services.lead_verify(by=users["director"], lead=lead, note="走访")
    assert Lead.objects.get(pk=lead.pk).status == "new"


# --- Review, rejection, double decisions --------------------------------------------------------


def test_supervisor_reviews_a_verified_lead_and_director_may_not(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    services.lead_verify(by=users["director"], lead=lead, note="属实")
    with pytest.raises(NotAllowed):
        services.lead_review(by=users["director"], lead=lead, note="")
    services.lead_review(by=users["supervisor"], lead=lead, note="同意")
    lead.refresh_from_db()
    assert (lead.status, lead.reviewed_by, lead.review_note) == (
        "reviewed",
        users["supervisor"],
        "同意",
    )
    assert _events(lead, "reviewed").get().username == "supervisor"


def test_review_of_a_new_lead_is_refused(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    with pytest.raises(InvalidTransition):
        services.lead_review(by=users["supervisor"], lead=lead)


def test_rejection_needs_a_reason_and_the_holder_of_the_step(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    with pytest.raises(DomainError) as err:
        services.lead_reject(by=users["director"], lead=lead, reason=" ")
    assert err.value.field == "reason"
    services.lead_verify(by=users["director"], lead=lead, note="属实")
    with pytest.raises(NotAllowed):  # verified: the supervisor's step now
        services.lead_reject(by=users["director"], lead=lead, reason="搞错了")
    services.lead_reject(by=users["supervisor"], lead=lead, reason="经复核，父亲仍在世")
    lead.refresh_from_db()
    assert lead.status == "rejected" and lead.reject_reason == "经复核，父亲仍在世"
    assert lead.decided_by == users["supervisor"]
    assert _events(lead, "rejected").get().detail["reason"] == "经复核，父亲仍在世"
    with pytest.raises(InvalidTransition):
        services.lead_approve(by=users["bureau"], lead=lead)


def test_director_rejects_a_new_lead_after_the_visit(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    services.lead_reject(by=users["director"], lead=lead, reason="走访核实情况不属实")
    assert Lead.objects.get(pk=lead.pk).status == "rejected"


def test_double_approval_is_refused(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"], reviewed=True)
    stale = Lead.objects.get(pk=lead.pk)
    services.lead_approve(by=users["bureau"], lead=lead)
    with pytest.raises(InvalidTransition):
        services.lead_approve(by=users["bureau"], lead=stale)
    assert CategoryAssignment.objects.filter(child=children["xiaohai"]).count() == 1
    assert _events(lead, "approved").count() == 1


def test_a_stale_version_is_refused(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"], reviewed=True)
    Lead.objects.filter(pk=lead.pk).update(version=5)
    with pytest.raises(InvalidTransition):
        services.lead_approve(by=users["bureau"], lead=lead, version=4)
    assert Lead.objects.get(pk=lead.pk).status == "reviewed"


@pytest.mark.parametrize("role", ["director", "supervisor"])
def test_only_the_bureau_approves(role, users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"], reviewed=True)
    with pytest.raises(NotAllowed):
        services.lead_approve(by=users[role], lead=lead)


# --- Approval of starting kinds -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["orphan", "dfuc", "difficulty", "left_behind", "migrant"])
def test_approval_creates_the_approved_category(kind, users, children, tree):
    child = children["xiaohai"]
    lead = LeadFactory(division=tree["c1"], child=child, kind=kind, reviewed=True)
    today = date(2026, 11, 2)
    services.lead_approve(by=users["bureau"], lead=lead, today=today)
    lead.refresh_from_db()
    assignment = CategoryAssignment.objects.get(child=child)
    assert (assignment.category, assignment.status) == (kind, "approved")
    assert assignment.effective_from == today
    assert assignment.approved_by == users["bureau"]
    assert EVIDENCE_WORDS in assignment.basis and f"#{lead.pk}" in assignment.basis
    assert lead.status == "approved" and lead.assignment == assignment
    assert lead.decided_by == users["bureau"]
    steps = AuditEvent.objects.filter(object_type="child", object_id=str(child.pk))
    assert {e.detail.get("step") for e in steps} >= {"proposed", "verified", "approved"}
    assert _events(lead, "approved").get().detail["assignment"] == assignment.pk


def test_approval_continues_an_open_proposal_of_the_same_category(users, children, tree):
    child = children["xiaohai"]
    proposal = CategoryFactory(
        child=child, category="orphan", basis="主任提出", proposed_by__division=tree["c1"]
    )
    lead = LeadFactory(division=tree["c1"], child=child, reviewed=True)
    services.lead_approve(by=users["bureau"], lead=lead)
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    assert Lead.objects.get(pk=lead.pk).assignment == proposal


def test_lead_for_a_child_not_yet_registered_goes_all_the_way(users, tree):
    lead = LeadFactory(division=tree["c1"], kind="orphan")
    services.lead_verify(by=users["director"], lead=lead, note="父母双亡，由祖母抚养")
    services.lead_review(by=users["supervisor"], lead=lead, note="同意")
    services.lead_approve(by=users["bureau"], lead=lead)
    lead.refresh_from_db()
    assert lead.assignment.child == lead.child
    assert lead.assignment.status == "approved" and lead.assignment.category == "orphan"


def test_approving_an_orphan_ends_the_dfuc_assignment(users, children, tree):
    child = children["xiaohai"]
    dfuc = approved(child, "dfuc")
    lead = LeadFactory(division=tree["c1"], child=child, kind="orphan", reviewed=True)
    services.lead_approve(by=users["bureau"], lead=lead, today=date(2026, 11, 2))
    dfuc.refresh_from_db()
    assert dfuc.status == "ended" and "孤儿" in dfuc.ended_reason
    assert dfuc.effective_to == date(2026, 11, 2)


def test_dfuc_for_an_orphan_is_refused_and_nothing_changes(users, children, tree):
    child = children["xiaohai"]
    approved(child, "orphan")
    lead = LeadFactory(division=tree["c1"], child=child, kind="dfuc", reviewed=True)
    with pytest.raises(DomainError, match="孤儿不同时认定"):
        services.lead_approve(by=users["bureau"], lead=lead)
    lead.refresh_from_db()
    assert lead.status == "reviewed" and lead.decided_by is None
    assert not CategoryAssignment.objects.filter(child=child, category="dfuc").exists()
    assert not _events(lead, "approved").exists()


def test_already_approved_category_is_refused(users, children, tree):
    child = children["xiaohai"]
    approved(child, "migrant")
    lead = LeadFactory(division=tree["c1"], child=child, kind="migrant", reviewed=True)
    with pytest.raises(DomainError, match="无需重复认定"):
        services.lead_approve(by=users["bureau"], lead=lead)
    assert Lead.objects.get(pk=lead.pk).status == "reviewed"


# --- Approval of ending kinds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "child_status", "fact"),
    [
        ("deceased", "deceased", {"source": "police", "row": 3, "fact": "child dead"}),
        ("adopted", "active", {"source": "court", "row": 4, "fact": "adoption"}),
        ("moved_out", "transferred", {"source": "police", "row": 5, "fact": "moved_out"}),
    ],
)
def test_ending_kinds_end_every_active_category_on_the_evidence_date(
    kind, child_status, fact, users, children, tree
):
    child = children["xiaohai"]
    orphan = approved(child, "orphan")
    candidate = CategoryFactory(
        child=child, category="left_behind", basis="x", proposed_by__division=tree["c1"]
    )
    evidence = [{**fact, "batch": 2, "dates": {"date": "2026-10-15"}}]
    lead = LeadFactory(
        division=tree["c1"], child=child, kind=kind, evidence=evidence, reviewed=True
    )
    services.lead_approve(by=users["bureau"], lead=lead, today=date(2026, 11, 2))
    orphan.refresh_from_db()
    candidate.refresh_from_db()
    assert orphan.status == "ended" and orphan.effective_to == date(2026, 10, 15)
    assert "#" in orphan.ended_reason and orphan.ended_by == users["bureau"]
    assert candidate.status == "ended"
    assert Child.objects.get(pk=child.pk).status == child_status
    assert Lead.objects.get(pk=lead.pk).assignment in (orphan, candidate)


def test_turned_18_ends_on_the_18th_birthday(users, tree):
    person = PersonFactory(name="高中生", sex="F", birth_date=date(2008, 10, 20))
    child = ChildFactory(person=person, division=tree["c1"])
    orphan = approved(child, "orphan", since=date(2015, 1, 1))
    lead = LeadFactory(division=tree["c1"], child=child, kind="turned_18", reviewed=True)
    services.lead_approve(by=users["bureau"], lead=lead, today=date(2026, 11, 2))
    orphan.refresh_from_db()
    assert orphan.status == "ended" and orphan.effective_to == date(2026, 10, 20)
    assert Child.objects.get(pk=child.pk).status == "aged_out"


def test_situation_ended_ends_only_the_dfuc_category(users, children, tree):
    child = children["xiaohai"]
    dfuc = approved(child, "dfuc")
    left = approved(child, "left_behind")
    evidence = [
        {
            "source": "justice",
            "batch": 3,
            "row": 8,
            "fact": "father imprisoned",
            "dates": {"started_on": "2022-01-01", "ended_on": "2026-09-30"},
        }
    ]
    lead = LeadFactory(
        division=tree["c1"],
        child=child,
        kind="situation_ended",
        category="dfuc",
        evidence=evidence,
        reviewed=True,
    )
    services.lead_approve(by=users["bureau"], lead=lead, today=date(2026, 11, 2))
    dfuc.refresh_from_db()
    left.refresh_from_db()
    assert dfuc.status == "ended" and dfuc.effective_to == date(2026, 9, 30)
    assert left.status == "approved"
    assert Child.objects.get(pk=child.pk).status == "active"


def test_ending_lead_without_an_active_category_is_refused(users, children, tree):
    lead = LeadFactory(
        division=tree["c1"], child=children["xiaohai"], kind="deceased", reviewed=True
    )
    with pytest.raises(DomainError, match="没有可终止"):
        services.lead_approve(by=users["bureau"], lead=lead)
    lead.refresh_from_db()
    assert lead.status == "reviewed"
    assert Child.objects.get(pk=children["xiaohai"].pk).status == "active"


# --- Scholarship and 金秋助学 -------------------------------------------------------------------


def test_scholarship_lead_puts_the_student_on_the_list(users, tree):
    person = PersonFactory(name="大学生", sex="M", birth_date=date(2007, 3, 1))
    child = ChildFactory(person=person, division=tree["c1"])
    approved(child, "orphan", since=date(2016, 1, 1))
    evidence = [
        {
            "source": "education",
            "batch": 4,
            "row": 9,
            "fact": "higher full_time",
            "school": "内蒙古大学",
        }
    ]
    lead = LeadFactory(
        division=tree["c1"],
        child=child,
        kind="scholarship",
        category="",
        evidence=evidence,
        reviewed=True,
    )
    services.lead_approve(by=users["bureau"], lead=lead, today=date(2026, 11, 2))
    entitlement = Entitlement.objects.get(child=child, programme_id="scholarship")
    assert entitlement.starts_on == date(2026, 9, 1)
    assert "内蒙古大学" in entitlement.basis and f"#{lead.pk}" in entitlement.basis
    lead.refresh_from_db()
    assert lead.status == "approved" and lead.assignment is None


def test_autumn_aid_needs_a_low_income_household(users, tree):
    person = PersonFactory(name="高三学生", sex="F", birth_date=date(2009, 2, 1))
    child = ChildFactory(person=person, division=tree["c1"])
    lead = LeadFactory(
        division=tree["c1"], child=child, kind="autumn_aid", category="", reviewed=True
    )
    with pytest.raises(DomainError, match=r"未能批准.*低保"):
        services.lead_approve(by=users["bureau"], lead=lead, today=date(2026, 8, 3))
    assert Lead.objects.get(pk=lead.pk).status == "reviewed"
    assert not Entitlement.objects.filter(child=child).exists()

    household = Household.objects.create(division=tree["c1"], assistance="urban_dibao")
    Person.objects.filter(pk=person.pk).update(household=household)
    services.lead_approve(by=users["bureau"], lead=lead, today=date(2026, 8, 3))
    entitlement = Entitlement.objects.get(child=child, programme_id="autumn-aid")
    assert entitlement.starts_on == date(2026, 8, 1)


def test_uploaded_document_that_is_not_what_it_says_refuses_the_verification(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    fake = SimpleUploadedFile("visit.png", b"not a picture at all", content_type="image/png")
    with pytest.raises(DomainError):
        services.lead_verify(by=users["director"], lead=lead, note="走访", documents=[fake])
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert not Document.objects.exists()


def test_verifier_and_reviewer_do_not_approve_their_own_lead(users, children, tree):
    """Four eyes: the bureau may take every step of a lead in its district, but not all of
    them on the same lead."""
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"])
    services.lead_verify(by=users["bureau"], lead=lead, note="电话核实，属实")
    with pytest.raises(NotAllowed):
        services.lead_review(by=users["bureau"], lead=lead)
    services.lead_review(by=users["supervisor"], lead=lead, note="同意")
    with pytest.raises(NotAllowed):
        services.lead_approve(by=users["bureau"], lead=lead)
    assert Lead.objects.get(pk=lead.pk).status == "reviewed"
    assert not CategoryAssignment.objects.filter(child=children["xiaohai"]).exists()
