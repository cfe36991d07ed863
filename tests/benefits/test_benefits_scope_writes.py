"""The funds' services are scoped like their pages (issue 12, "scope on every write"): called
without a view — the command line, the API, another service — a write about a child whose funds
the user may not see is 404 and changes nothing; the same write by the child's own district goes
through. Only the bureau manages the funds, so the outsider is the bureau of another district."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from huhang.benefits import services
from huhang.benefits.models import Entitlement, Payee, Suspension
from huhang.benefits.students import services as students
from huhang.core.models import AuditEvent
from huhang.core.roles import Role
from tests.factories import DivisionFactory, UserFactory
from tests.factories.benefits import EntitlementFactory
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory
from tests.factories.registry_extra import HouseholdFactory


@pytest.fixture
def outsider(tree):
    """A bureau officer of 青山区: every capability of the bureau, none of our children."""
    return UserFactory(
        username="qingshan", role=Role.BUREAU, division=DivisionFactory(code="150204")
    )


def _rows() -> dict[str, int]:
    """What a refused write must leave as it was."""
    return {
        model.__name__: model._default_manager.count()
        for model in (Payee, Entitlement, Suspension, AuditEvent)
    }


def _payee(by, child) -> Payee:
    return services.payee_set(
        by=by,
        child=child,
        name="张丽",
        relation="母亲",
        bank="中国工商银行包头分行",
        account="6222020200001234567",
        valid_from=date(2026, 1, 1),
    )


def test_payees_and_suspensions_of_another_districts_child_are_404(
    users, bureau2, children, outsider
):
    bureau, village = users["bureau"], children["village"]
    payee = _payee(bureau, village)
    entitlement = EntitlementFactory(child=village, starts_on=date(2026, 1, 1))
    suspended = EntitlementFactory(
        child=children["c2"], programme_id="dfuc", starts_on=date(2026, 1, 1)
    )
    services.suspend(by=bureau, entitlement=suspended, from_month=date(2026, 3, 1), reason="核查")
    calls = [
        lambda: _payee(outsider, village),
        lambda: services.payee_confirm(by=outsider, payee=payee),
        lambda: services.suspend(
            by=outsider, entitlement=entitlement, from_month=date(2026, 3, 1), reason="核查"
        ),
        lambda: services.resume(
            by=outsider, entitlement=suspended, from_month=date(2026, 5, 1), reason="已核实"
        ),
    ]
    before = _rows()
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert _rows() == before
    assert Payee.objects.get(pk=payee.pk).confirmed_at is None
    assert Suspension.objects.get(entitlement=suspended).to_month is None
    # The district's own officers take the same steps.
    services.payee_confirm(by=bureau2, payee=payee)
    services.suspend(by=bureau, entitlement=entitlement, from_month=date(2026, 3, 1), reason="核查")
    services.resume(by=bureau, entitlement=suspended, from_month=date(2026, 5, 1), reason="已核实")
    assert Payee.objects.get(pk=payee.pk).confirmed_at is not None
    assert Suspension.objects.filter(entitlement=entitlement, to_month__isnull=True).exists()
    assert Suspension.objects.get(entitlement=suspended).to_month == date(2026, 4, 1)


def test_student_lists_of_another_districts_child_are_404(users, tree, outsider):
    bureau = users["bureau"]
    scholar = ChildFactory(
        person=PersonFactory(name="林晓", birth_date=date(2008, 5, 10)), division=tree["c1"]
    )
    CategoryFactory(child=scholar, category="orphan", ended=True, effective_from=date(2020, 1, 1))
    household = HouseholdFactory(division=tree["c2"], assistance="urban_dibao")
    graduate = ChildFactory(
        person=PersonFactory(name="何静", years=18, household=household),
        division=tree["c2"],
        school_stage="senior",
    )
    enrolled = students.scholarship_enrol(
        by=bureau, child=scholar, school_year=2026, school="内蒙古科技大学"
    )
    calls = [
        lambda: students.scholarship_enrol(
            by=outsider, child=scholar, school_year=2027, school="内蒙古科技大学"
        ),
        lambda: students.scholarship_leave(
            by=outsider, entitlement=enrolled, left_on=date(2026, 11, 1), reason="退学"
        ),
        lambda: students.autumn_aid_enrol(
            by=outsider, child=graduate, month=date(2026, 8, 1), school="包头市第九中学"
        ),
    ]
    before = _rows()
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert _rows() == before
    assert Entitlement.objects.get(pk=enrolled.pk).ends_on is None
    # The bureau of the district enrols and records the leave.
    students.autumn_aid_enrol(
        by=bureau, child=graduate, month=date(2026, 8, 1), school="包头市第九中学"
    )
    students.scholarship_leave(
        by=bureau, entitlement=enrolled, left_on=date(2026, 11, 1), reason="退学"
    )
    assert Entitlement.objects.filter(child=graduate, programme_id="autumn-aid").exists()
    assert Entitlement.objects.get(pk=enrolled.pk).ends_on is not None


def test_check_child_follows_the_funds_rule(users, children, outsider):
    """The helper itself: whoever sees a child's figures passes (an auditor does, without the
    registry), a role without the funds or a child of another district is 404."""
    village = children["village"]
    for user in (users["bureau"], users["auditor"]):
        services.check_child(user, village.pk)
    for user in (users["director2"], outsider):
        with pytest.raises(Http404):
            services.check_child(user, village.pk)
    with pytest.raises(Http404):
        services.check_child(users["supervisor"], village.pk)  # the street has no village
    services.check_child(users["supervisor"], children["c2"].pk)
