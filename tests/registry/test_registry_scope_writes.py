"""Registry services are scoped like the archive pages (issue 12, "scope on every write"): called
without a view — the command line, the API, another service — a write to an archive the user may
not see is 404 and changes nothing; the same write on the user's own side goes through."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from huhang.core.models import AuditEvent
from huhang.core.roles import Role
from huhang.registry import archives, services
from huhang.registry.models import (
    ArchiveMerge,
    CategoryAssignment,
    CategoryStatus,
    Child,
    ChildStatus,
    Document,
    DuplicateReview,
    DuplicateStatus,
    Household,
    Relation,
    Situation,
)
from tests.factories import DivisionFactory, UserFactory
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory
from tests.factories.registry_extra import RelationFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def qingshan(tree):
    """Another district (青山区) with one community, outside every fixture user's scope."""
    district = DivisionFactory(code="150204", name="青山区")
    street = DivisionFactory(code="150204001", name="幸福路街道", parent=district)
    return DivisionFactory(code="150204001001", name="幸福一社区", parent=street)


@pytest.fixture
def outsider(qingshan):
    """A bureau officer of 青山区: every capability of the bureau, none of our archives."""
    return UserFactory(username="qingshan", role=Role.BUREAU, division=qingshan.parent.parent)


def _rows() -> dict[str, int]:
    """What a refused write must leave as it was."""
    models = (
        Relation,
        Situation,
        Household,
        CategoryAssignment,
        Document,
        DuplicateReview,
        ArchiveMerge,
        AuditEvent,
    )
    return {model.__name__: model._default_manager.count() for model in models}


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.png", PNG)


def test_edits_of_another_streets_archive_are_404(users, children):
    sup, village = users["supervisor"], children["village"]
    document = services.document_upload(
        by=users["director2"], child=village, kind="scan", title="户口本", upload=_png()
    )
    father = RelationFactory(child=village.person)
    calls = [
        lambda: services.child_update(
            by=sup, child=village, version=village.version, address="友谊大街1号"
        ),
        lambda: services.relation_add(
            by=sup,
            child=village,
            kind="mother",
            name="王芳",
            sex="F",
            birth_date=date(1990, 3, 1),
        ),
        lambda: services.guardian_set(by=sup, child=village, relation=father),
        lambda: services.situation_record(
            by=sup,
            child=village,
            person=father.relative,
            kind="imprisoned",
            started_on=date(2025, 1, 1),
        ),
        lambda: services.household_update(
            by=sup, child=village, address="河东村", assistance="", assistance_since=None
        ),
        lambda: services.category_propose(
            by=sup, child=village, category="orphan", basis="父母双亡"
        ),
        lambda: services.document_upload(
            by=sup, child=village, kind="scan", title="户口本", upload=_png()
        ),
        lambda: services.document_open(by=sup, document=document),
    ]
    before, version = _rows(), Child.objects.get(pk=village.pk).version
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert _rows() == before
    assert Child.objects.get(pk=village.pk).version == version
    assert not Relation.objects.get(pk=father.pk).is_guardian
    # The same writes on the user's own side are not refused by scope.
    director2 = users["director2"]
    services.child_update(by=director2, child=village, version=version, address="河东村2号")
    services.guardian_set(by=director2, child=village, relation=father)
    assert Child.objects.get(pk=village.pk).address == "河东村2号"
    assert Relation.objects.get(pk=father.pk).is_guardian
    with services.document_open(by=director2, document=document) as handle:
        assert handle.read() == PNG


def test_a_visit_photo_is_stored_on_a_child_in_the_visitors_reach(users, children):
    """`document_upload` with another service's capability is scoped all the same: a social
    worker stores photos on a child entrusted to its organisation, not on another one."""
    worker = users["socialworker"]
    stored = services.document_upload(
        by=worker,
        child=children["xiaohai"],
        kind="photo",
        title="探访照片",
        upload=_png(),
        capability="visit.record",
    )
    assert stored.child_id == children["xiaohai"].pk
    before = _rows()
    with pytest.raises(Http404):
        services.document_upload(
            by=worker,
            child=children["c2"],
            kind="photo",
            title="探访照片",
            upload=_png(),
            capability="visit.record",
        )
    assert _rows() == before


def test_category_steps_on_another_streets_child_are_404(users, children, outsider):
    sup, village = users["supervisor"], children["village"]
    candidate = CategoryFactory(child=village, category="orphan")
    verified = CategoryFactory(child=village, category="dfuc", verified=True)
    approved = CategoryFactory(child=village, category="migrant", approved=True)
    calls = [
        lambda: services.category_verify(by=sup, assignment=candidate),
        lambda: services.category_end(by=sup, assignment=candidate, reason="不符合条件"),
        lambda: services.category_end(by=sup, assignment=approved, reason="已返乡"),
        lambda: services.category_end_propose(by=sup, assignment=approved, reason="已返乡"),
        lambda: services.category_approve(by=outsider, assignment=verified),
        lambda: services.category_end_from_lead(
            by=outsider,
            assignment=approved,
            proposed_by=sup,
            reason="已返乡",
            effective_to=timezone.localdate(),
        ),
    ]
    before = _rows()
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert _rows() == before
    statuses = dict(CategoryAssignment.objects.values_list("pk", "status"))
    assert statuses == {
        candidate.pk: CategoryStatus.CANDIDATE,
        verified.pk: CategoryStatus.VERIFIED,
        approved.pk: CategoryStatus.APPROVED,
    }
    assert CategoryAssignment.objects.get(pk=approved.pk).end_proposed_at is None
    # The people of the village's own side take the same steps.
    services.category_verify(by=users["director2"], assignment=candidate)
    services.category_approve(by=users["bureau"], assignment=verified)
    services.category_end_propose(by=users["director2"], assignment=approved, reason="已返乡")
    statuses = dict(CategoryAssignment.objects.values_list("pk", "status"))
    assert statuses[candidate.pk] == CategoryStatus.VERIFIED
    assert statuses[verified.pk] == CategoryStatus.APPROVED


def test_confirming_an_end_on_another_districts_child_is_404(users, children, outsider):
    approved = CategoryFactory(child=children["village"], category="migrant", approved=True)
    services.category_end_propose(by=users["director2"], assignment=approved, reason="已返乡")
    approved.refresh_from_db()
    before = _rows()
    with pytest.raises(Http404):
        services.category_end_confirm(by=outsider, assignment=approved)
    assert _rows() == before
    assert CategoryAssignment.objects.get(pk=approved.pk).status == CategoryStatus.APPROVED
    services.category_end_confirm(by=users["bureau"], assignment=approved)
    assert CategoryAssignment.objects.get(pk=approved.pk).status == CategoryStatus.ENDED


def test_a_leads_category_on_another_districts_child_is_404(users, children, outsider):
    """The lead's people (who proposed and reviewed) are recorded, not checked: the scope that
    counts is the approver's, `by`."""
    village = children["village"]
    dfuc = CategoryFactory(child=village, category="dfuc", approved=True)
    orphan = CategoryFactory(child=village, category="orphan", approved=True)
    before = _rows()
    with pytest.raises(Http404):
        services.category_from_lead(
            by=outsider,
            child=village,
            category="migrant",
            basis="精准排查",
            proposed_by=users["director2"],
            verified_by=users["supervisor"],
            effective_from=timezone.localdate(),
        )
    with pytest.raises(Http404):
        services.dfuc_end_superseded(
            by=outsider, assignment=dfuc, orphan=orphan, proposed_by=users["director2"]
        )
    assert _rows() == before
    assert CategoryAssignment.objects.get(pk=dfuc.pk).end_proposed_at is None
    services.dfuc_end_superseded(
        by=users["bureau"], assignment=dfuc, orphan=orphan, proposed_by=users["director2"]
    )
    assert CategoryAssignment.objects.get(pk=dfuc.pk).status == CategoryStatus.ENDED


def _twins(division, name: str = "张小雨") -> tuple[Child, Child]:
    """Two archives of what may be one child (no ID numbers, so a merge is allowed)."""

    def archive() -> Child:
        person = PersonFactory(name=name, sex="F", birth_date=date(2017, 6, 1), id_number=None)
        return ChildFactory(person=person, division=division)

    return archive(), archive()


def test_duplicates_and_merges_of_another_districts_archives_are_404(users, tree, outsider):
    bureau = users["bureau"]
    one, other = _twins(tree["village"])
    review = archives.duplicate_record(by=None, one=one, other=other, reason="同名")
    twin, its_twin = _twins(tree["c1"], "李小月")
    done = archives.child_merge(by=bureau, keep=twin, gone=its_twin, reason="同一儿童")
    calls = [
        lambda: archives.duplicate_dismiss(by=outsider, review=review, note="两名儿童"),
        lambda: archives.child_merge(
            by=outsider, keep=one, gone=other, reason="同一儿童", review=review
        ),
        lambda: archives.child_unmerge(by=outsider, merge=done, reason="两名儿童"),
    ]
    before = _rows()
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert _rows() == before
    assert DuplicateReview.objects.get(pk=review.pk).status == DuplicateStatus.OPEN
    assert Child.objects.get(pk=other.pk).status != ChildStatus.MERGED
    assert Child.objects.get(pk=its_twin.pk).status == ChildStatus.MERGED
    # The bureau of the district decides the pair and undoes the merge.
    archives.child_merge(by=bureau, keep=one, gone=other, reason="同一儿童", review=review)
    archives.child_unmerge(by=bureau, merge=done, reason="两名儿童")
    assert DuplicateReview.objects.get(pk=review.pk).status == DuplicateStatus.MERGED
    assert Child.objects.get(pk=its_twin.pk).status != ChildStatus.MERGED


def test_a_merge_with_one_archive_out_of_reach_is_404(users, tree, qingshan):
    """Both archives of a merge, and both of the review it settles, must be the user's."""
    bureau = users["bureau"]
    ours, theirs = _twins(tree["village"])[0], _twins(qingshan)[0]
    ours2 = _twins(tree["c2"])[0]
    foreign_review = archives.duplicate_record(by=None, one=ours, other=theirs, reason="同名")
    before = _rows()
    with pytest.raises(Http404):
        archives.child_merge(by=bureau, keep=ours, gone=theirs, reason="同一儿童")
    with pytest.raises(Http404):
        archives.child_merge(by=bureau, keep=theirs, gone=ours, reason="同一儿童")
    with pytest.raises(Http404):
        archives.child_merge(
            by=bureau, keep=ours, gone=ours2, reason="同一儿童", review=foreign_review
        )
    with pytest.raises(Http404):
        archives.duplicate_dismiss(by=bureau, review=foreign_review, note="两名儿童")
    assert _rows() == before
    assert not Child.objects.filter(status=ChildStatus.MERGED).exists()


def test_check_children_counts_each_archive_once(users, children):
    """The helper itself: a repeated id is one archive, an unknown id is not visible."""
    sup, mine, theirs = users["supervisor"], children["xiaohai"], children["village"]
    archives.check_children(sup, mine.pk, mine.pk, children["c2"].pk)
    for ids in ((theirs.pk,), (mine.pk, theirs.pk), (mine.pk, 999_999)):
        with pytest.raises(Http404):
            archives.check_children(sup, *ids)
