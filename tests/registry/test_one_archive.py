"""One archive per child (issue 12, part 4): before an archive is opened (a lead's
verification, the child form) the registry looks for the child's existing archive; a certain
match is attached (or the form refused), an uncertain one goes to the bureau's review; the
bureau merges two archives (everything moved, audited) and can undo the merge with a second
record. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from huhang.benefits.models import Payee
from huhang.core import crypto
from huhang.core.exceptions import DomainError, NotAllowed
from huhang.core.models import AuditEvent
from huhang.registry import archives, services
from huhang.registry.models import (
    ArchiveMerge,
    CategoryAssignment,
    Child,
    DuplicateReview,
    Relation,
)
from huhang.screening.leads import services as leads
from tests.factories.benefits import PayeeFactory
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory
from tests.factories.registry_extra import RelationFactory
from tests.factories.screening import LeadFactory

BIRTH = date(2016, 4, 9)


@pytest.fixture
def girl(tree):
    """The issue's girl: no ID number, registered in 友谊一社区 with a 流动儿童 category."""
    child = ChildFactory(
        person=PersonFactory(name="阿依古丽", sex="F", birth_date=BIRTH, id_number=None),
        division=tree["c1"],
    )
    CategoryFactory(child=child, category="migrant", approved=True)
    return child


def test_verifying_a_lead_attaches_the_existing_archive(users, tree, girl):
    """The issue's case: a lead for her (no ID number) was verified and a second archive
    created. Now the lead is attached to her archive and no archive is added."""
    lead = LeadFactory(
        division=tree["c1"],
        kind="dfuc",
        name="阿依古丽",
        sex="F",
        birth_date=BIRTH,
        id_number="",
    )
    before = Child.objects.count()
    leads.lead_verify(by=users["director"], lead=lead, note="入户核实：父亲服刑，母亲失联")
    lead.refresh_from_db()
    assert lead.child == girl
    assert Child.objects.count() == before
    assert not DuplicateReview.objects.exists()


def test_written_differently_is_the_same_name(users, tree, girl):
    with pytest.raises(DomainError) as err:
        services.child_register(
            by=users["director"], name="阿依古麗", sex="F", birth_date=BIRTH, division=tree["c1"]
        )
    assert str(girl.pk) in err.value.message


def test_another_community_is_sent_to_review_not_attached(users, tree, girl):
    other = services.child_register(
        by=users["supervisor"], name="阿依古丽", sex="F", birth_date=BIRTH, division=tree["c2"]
    )
    assert other.pk != girl.pk
    [review] = DuplicateReview.objects.all()
    assert {review.first_id, review.second_id} == {girl.pk, other.pk}
    assert "社区不同" in review.reason and review.status == "open"


def test_a_household_registration_elsewhere_is_never_attached(users, tree):
    """Same name, birth date, sex and community, but 户籍地 in another province: a new archive
    and a review, never an automatic link."""
    local = ChildFactory(
        person=PersonFactory(
            name="李想", sex="M", birth_date=BIRTH, id_number=None, hukou_code="150203005001"
        ),
        division=tree["c1"],
    )
    found = archives.archive_matches(
        name="李想", sex="M", birth_date=BIRTH, division=tree["c1"], hukou_code="130102001001"
    )
    assert found.same is None and [c for c, _r in found.possible] == [local]
    lead = LeadFactory(
        division=tree["c1"], kind="migrant", name="李想", sex="M", birth_date=BIRTH, id_number=""
    )
    leads.lead_verify(
        by=users["director"], lead=lead, note="外省户籍", register={"hukou_code": "130102001001"}
    )
    lead.refresh_from_db()
    assert lead.child != local
    [review] = DuplicateReview.objects.all()
    assert "户籍地不一致" in review.reason


def test_different_id_numbers_are_different_children(users, tree):
    one = ChildFactory(
        person=PersonFactory(name="张伟", sex="M", birth_date=BIRTH), division=tree["c1"]
    )
    found = archives.archive_matches(
        name="张伟",
        sex="M",
        birth_date=BIRTH,
        division=tree["c1"],
        id_number=PersonFactory.build(sex="M", birth_date=BIRTH).id_number,
    )
    assert found.same is None and found.possible == []
    assert one.pk


def _duplicate(tree, girl):
    twin = ChildFactory(
        person=PersonFactory(name="阿依古丽", sex="F", birth_date=BIRTH), division=tree["c1"]
    )
    CategoryFactory(child=twin, category="dfuc", approved=True)
    CategoryFactory(child=twin, category="migrant", approved=True)  # conflicts with girl's
    PayeeFactory(child=twin)
    RelationFactory(child=twin.person, kind="mother")
    return twin


def test_merge_moves_everything_and_unmerge_moves_it_back(users, tree, girl):
    twin = _duplicate(tree, girl)
    id_number = twin.person.id_number
    merge = archives.child_merge(by=users["bureau"], keep=girl, gone=twin, reason="同一儿童")
    girl.refresh_from_db()
    twin.refresh_from_db()
    assert twin.status == "merged" and twin.merged_into == girl
    assert set(girl.categories.values_list("category", flat=True)) == {"migrant", "dfuc"}
    assert Payee.objects.filter(child=girl).count() == 1
    assert Relation.objects.filter(child=girl.person, kind="mother").exists()
    # Only the girl's archive lacked an ID number: it moved with the merge.
    girl.person.refresh_from_db()
    assert girl.person.id_number == id_number and girl.search_id == crypto.blind_index(id_number)
    # The second open 流动儿童 category could not move (one open per child): left, and said.
    assert list(merge.left) == ["registry.CategoryAssignment.child"]
    assert AuditEvent.objects.filter(object_id=str(girl.pk), detail__has_key="merged_from").exists()
    assert AuditEvent.objects.filter(object_id=str(twin.pk), detail__has_key="merged_into").exists()

    undo = archives.child_unmerge(by=users["bureau"], merge=merge, reason="核实后为两名儿童")
    assert undo.reverses == merge
    twin.refresh_from_db()
    girl.refresh_from_db()
    twin.person.refresh_from_db()
    assert twin.status == "active" and twin.merged_into is None
    assert set(girl.categories.values_list("category", flat=True)) == {"migrant"}
    assert twin.categories.count() == 2 and Payee.objects.filter(child=twin).count() == 1
    assert twin.person.id_number == id_number and twin.search_id == crypto.blind_index(id_number)
    with pytest.raises(DomainError):
        archives.child_unmerge(by=users["bureau"], merge=merge, reason="再撤销")
    assert ArchiveMerge.objects.count() == 2


def test_only_the_bureau_merges(users, tree, girl):
    twin = _duplicate(tree, girl)
    with pytest.raises(NotAllowed):
        archives.child_merge(by=users["supervisor"], keep=girl, gone=twin, reason="同一儿童")


def test_the_database_keeps_a_merged_archive_pointing_somewhere(girl):
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=girl.pk).update(status="merged")
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=girl.pk).update(merged_into=girl)


def test_review_and_merge_through_the_pages(users, tree, girl, login):
    other = services.child_register(
        by=users["supervisor"], name="阿依古丽", sex="F", birth_date=BIRTH, division=tree["c2"]
    )
    review = DuplicateReview.objects.get()
    assert login(users["supervisor"]).get(reverse("registry:duplicate_list")).status_code == 403
    bureau = login(users["bureau"])
    page = bureau.get(reverse("registry:duplicate_list")).content.decode()
    assert "阿依古丽" in page and "社区不同" in page
    url = reverse("registry:duplicate_step", args=[review.pk, "merge"])
    response = bureau.post(url, {"keep": str(girl.pk), "reason": "同一儿童，入户核实"})
    assert response.status_code == 302
    other.refresh_from_db()
    review.refresh_from_db()
    assert other.merged_into == girl and review.status == "merged"
    archive = bureau.get(reverse("workbench:child_detail", args=[other.pk])).content.decode()
    assert "本档案已合并至" in archive
    merge = ArchiveMerge.objects.get()
    response = bureau.post(reverse("registry:merge_undo", args=[merge.pk]), {"reason": "误合并"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == "active"


def test_a_pair_marked_distinct_leaves_both(users, tree, girl, login):
    services.child_register(
        by=users["supervisor"], name="阿依古丽", sex="F", birth_date=BIRTH, division=tree["c2"]
    )
    review = DuplicateReview.objects.get()
    archives.duplicate_dismiss(by=users["bureau"], review=review, note="父母不同")
    review.refresh_from_db()
    assert review.status == "distinct" and review.resolved_by == users["bureau"]
    assert not CategoryAssignment.objects.filter(child__status="merged").exists()
