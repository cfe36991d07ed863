"""A child's risk colour (cases.risk, docs/risk-colour.md): red for emergency protection or an
open high-risk case, yellow for an overdue visit, a category waiting or a medium-risk case,
green otherwise; decided for many children in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from huhang.cases.models import Risk
from huhang.cases.selectors import risk_colour, risk_colours
from tests.factories.cases import CaseFactory, EmergencyFactory
from tests.factories.registry import CategoryFactory, ChildFactory


def test_green_without_anything(children):
    colour = risk_colour(children["xiaohai"])
    assert (colour.colour, colour.reasons) == ("green", ())


def test_red_for_an_open_high_risk_case(users, children):
    CaseFactory(child=children["xiaohai"], opened_by=users["director"], high_risk=True)
    colour = risk_colour(children["xiaohai"])
    assert colour.colour == "red" and "high_risk" in colour.reasons


def test_a_closed_high_risk_case_no_longer_counts(users, children):
    CaseFactory(child=children["xiaohai"], opened_by=users["director"], high_risk=True, closed=True)
    assert risk_colour(children["xiaohai"]).colour == "green"


def test_red_under_emergency_protection(children):
    EmergencyFactory(child=children["c2"])
    assert risk_colour(children["c2"]).reasons == ("emergency",)
    EmergencyFactory(child=children["village"], resolved=True)
    assert risk_colour(children["village"]).colour == "green"


def test_yellow_for_a_category_waiting(children):
    CategoryFactory(child=children["xiaohai"], category="left_behind")
    assert risk_colour(children["xiaohai"]).colour == "yellow"
    assert [str(r) for r in risk_colour(children["xiaohai"]).reason_labels] == ["类别认定待办"]


def test_yellow_for_an_overdue_visit(children):
    # An orphan at home approved long ago and never visited is overdue.
    CategoryFactory(
        child=children["xiaohai"], category="orphan", approved=True, effective_from=date(2020, 1, 1)
    )
    colour = risk_colour(children["xiaohai"])
    assert colour.colour == "yellow" and colour.reasons == ("visit_overdue",)


def test_yellow_for_a_medium_risk_case(users, children):
    CaseFactory(child=children["xiaohai"], opened_by=users["director"], risk=Risk.MEDIUM,
                risk_reason="学习困难")  # fmt: skip
    assert risk_colour(children["xiaohai"]).reasons == ("medium_risk",)


def test_red_wins_and_every_reason_is_kept(users, children):
    child = children["xiaohai"]
    CategoryFactory(child=child, category="left_behind")
    EmergencyFactory(child=child)
    CaseFactory(child=child, opened_by=users["director"], high_risk=True)
    colour = risk_colour(child)
    assert colour.colour == "red"
    assert colour.reasons == ("emergency", "high_risk", "category_pending")


def test_many_children_in_two_queries(users, tree, django_assert_num_queries):
    kids = [ChildFactory(division=tree["c1"]) for _ in range(12)]
    for kid in kids[::3]:
        CaseFactory(child=kid, opened_by=users["director"], high_risk=True)
    with django_assert_num_queries(2):
        colours = risk_colours(kids)
    assert sum(c.colour == "red" for c in colours.values()) == 4
    assert risk_colours([]) == {}
