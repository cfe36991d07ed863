"""What approving the new lead kinds of issue 15 does in the registry: orphan supersedes DFUC
through the registry's one entry point, a review ends the category it names, a turned-16 lead
ends left-behind, and a referral or a missing-parent review changes nothing but the lead."""

from __future__ import annotations

from datetime import date

import pytest

from huhang.core.exceptions import DomainError
from huhang.core.models import AuditEvent
from huhang.registry import services as registry
from huhang.registry.models import CategoryAssignment, Child
from huhang.screening.leads import services
from tests.factories.screening import LeadFactory
from tests.screening.test_leads_support import approved

pytestmark = pytest.mark.usefixtures("pinned_clock")

TODAY = date(2026, 11, 2)


def test_62_orphan_approval_ends_dfuc_in_the_same_approval(users, children, tree):
    child = children["xiaohai"]
    dfuc = approved(child, "dfuc")
    lead = LeadFactory(division=tree["c1"], child=child, kind="orphan", reviewed=True)
    services.lead_approve(by=users["bureau"], lead=lead, today=TODAY)
    dfuc.refresh_from_db()
    assert (dfuc.status, dfuc.effective_to) == ("ended", TODAY)
    open_ones = CategoryAssignment.objects.filter(child=child).exclude(status="ended")
    assert [a.category for a in open_ones] == ["orphan"]
    event = AuditEvent.objects.filter(
        object_type="child", object_id=str(child.pk), detail__step="ended"
    ).get()
    lead.refresh_from_db()
    assert event.detail["superseded_by"] == lead.assignment_id


def test_dfuc_end_superseded_only_by_an_approved_orphan(users, children):
    child = children["xiaohai"]
    dfuc = approved(child, "dfuc")
    other = approved(child, "difficulty")
    with pytest.raises(DomainError):
        registry.dfuc_end_superseded(by=users["bureau"], assignment=dfuc, orphan=other)
    dfuc.refresh_from_db()
    assert dfuc.status == "approved"


def test_review_approval_ends_the_category_it_names(users, children, tree):
    child = children["xiaohai"]
    dfuc = approved(child, "dfuc")
    keep = approved(child, "difficulty")
    lead = LeadFactory(
        division=tree["c1"], child=child, kind="review", category="dfuc", reviewed=True
    )
    services.lead_approve(by=users["bureau"], lead=lead, today=TODAY)
    dfuc.refresh_from_db()
    keep.refresh_from_db()
    assert (dfuc.status, dfuc.effective_to) == ("ended", TODAY)
    assert keep.status == "approved"
    assert Child.objects.get(pk=child.pk).status == "active"


def test_13_turned_16_ends_left_behind_on_the_birthday(users, children, tree):
    child = children["xiaohai"]
    left = approved(child, "left_behind")
    lead = LeadFactory(
        division=tree["c1"], child=child, kind="turned_16", category="left_behind", reviewed=True
    )
    services.lead_approve(by=users["bureau"], lead=lead, today=TODAY)
    left.refresh_from_db()
    birth = child.person.birth_date
    sixteen = birth.replace(year=birth.year + 16)
    assert left.status == "ended"
    assert left.effective_to == max(min(sixteen, TODAY), left.effective_from)
    assert Child.objects.get(pk=child.pk).status == "active"


@pytest.mark.parametrize(("kind", "category"), [("referral", "dfuc"), ("parent_unknown", "")])
def test_notice_kinds_change_nothing_in_the_registry(kind, category, users, children, tree):
    child = children["xiaohai"]
    before = set(CategoryAssignment.objects.filter(child=child).values_list("pk", "status"))
    lead = LeadFactory(division=tree["c1"], child=child, kind=kind, category=category,
                       reviewed=True)  # fmt: skip
    services.lead_approve(by=users["bureau"], lead=lead, today=TODAY)
    lead.refresh_from_db()
    assert lead.status == "approved" and lead.assignment is None
    after = set(CategoryAssignment.objects.filter(child=child).values_list("pk", "status"))
    assert after == before
