"""The risk colour of a child (issue 13; cases.selectors.risk_colour) and the field worker's list
of its children (cases.visits.selectors.field_children)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from huhang.cases.selectors import GREEN, RED, YELLOW, risk_colour, risk_colours
from huhang.cases.visits.selectors import field_children
from huhang.core.models import AuditEvent
from huhang.registry.models import Child
from tests.factories.cases import CaseFactory, EmergencyFactory, HomeVisitFactory
from tests.factories.registry import CategoryFactory


def test_a_child_with_nothing_is_green(children):
    assert risk_colour(children["xiaohai"]) == GREEN


def test_an_open_high_risk_case_is_red_and_a_closed_one_is_not(users, children):
    child = children["xiaohai"]
    case = CaseFactory(child=child, opened_by=users["director"], high_risk=True)
    assert risk_colour(child) == RED
    CaseFactory(child=children["c2"], opened_by=users["director"], high_risk=True, closed=True)
    assert risk_colour(children["c2"]) == GREEN
    assert case.pk is not None


def test_an_ordinary_open_case_alone_is_green(users, children):
    CaseFactory(child=children["xiaohai"], opened_by=users["director"])
    assert risk_colour(children["xiaohai"]) == GREEN


def test_emergency_protection_in_force_is_red_and_once_resolved_is_not(children):
    EmergencyFactory(child=children["xiaohai"])
    EmergencyFactory(child=children["c2"], resolved=True)
    colours = risk_colours(Child.objects.all())
    assert colours[children["xiaohai"].pk] == RED
    assert colours[children["c2"].pk] == GREEN


def test_a_category_waiting_for_approval_is_yellow(children):
    CategoryFactory(child=children["xiaohai"], category="dfuc")
    CategoryFactory(child=children["c2"], category="dfuc", verified=True)
    CategoryFactory(child=children["village"], category="orphan", approved=True)
    colours = risk_colours(Child.objects.all())
    assert colours[children["xiaohai"].pk] == YELLOW
    assert colours[children["c2"].pk] == YELLOW
    # Approved a year ago and never visited: the first visit is overdue.
    assert colours[children["village"].pk] == YELLOW


def test_an_overdue_visit_is_yellow(children):
    child = children["xiaohai"]
    CategoryFactory(child=child, category="orphan", approved=True)
    today = timezone.localdate()
    HomeVisitFactory(
        child=child, visited_on=today - timedelta(days=120), next_due=today - timedelta(days=3)
    )
    assert risk_colour(child) == YELLOW
    HomeVisitFactory(child=child, visited_on=today, next_due=today + timedelta(days=90))
    assert risk_colour(child) == GREEN


def test_red_wins_over_yellow(users, children):
    child = children["xiaohai"]
    CategoryFactory(child=child, category="dfuc")
    CaseFactory(child=child, opened_by=users["director"], high_risk=True)
    assert risk_colour(child) == RED


def test_the_colours_of_many_children_take_a_fixed_number_of_queries(
    users, children, django_assert_num_queries
):
    for child in children.values():
        CaseFactory(child=child, opened_by=users["director"], high_risk=True)
    with django_assert_num_queries(2):
        colours = risk_colours(Child.objects.all())
    assert set(colours.values()) == {RED}


def test_the_field_list_is_the_users_scope_red_first(users, children, tree):
    from tests.factories import ChildFactory, PersonFactory

    calm = ChildFactory(person=PersonFactory(name="安安", years=7), division=tree["c1"])
    CaseFactory(
        child=children["xiaohai"], opened_by=users["director"], high_risk=True, summary="住房"
    )
    rows = field_children(user=users["director"])
    assert [r.child for r in rows] == [children["xiaohai"], calm]
    assert rows[0].colour == RED and rows[0].cases == ("住房",)
    assert rows[1].colour == GREEN
    assert AuditEvent.objects.filter(action="search", object_label="我的儿童（外勤）").exists()


def test_the_field_list_leaves_out_children_no_longer_active(users, children):
    child = children["xiaohai"]
    child.status = "transferred"
    child.save()
    assert field_children(user=users["director"]) == []
