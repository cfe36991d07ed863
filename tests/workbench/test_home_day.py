"""A director's day on the home page: visits overdue and due soon first, a big "record a visit"
button, each child's risk colour; the visit form preselects the open (high-risk) case; the
picker finds a child by name or pinyin."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from huhang.cases.models import Risk
from huhang.workbench.selectors import field_day
from tests.factories.cases import CaseFactory
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory


def _orphan(child, since=date(2020, 1, 1)):
    return CategoryFactory(child=child, category="orphan", approved=True, effective_from=since)


def test_home_lists_the_visits_due_with_colours_and_a_big_button(users, children, login):
    _orphan(children["xiaohai"])  # never visited: overdue
    CaseFactory(child=children["xiaohai"], opened_by=users["director"], high_risk=True)
    html = login(users["director"]).get("/").content.decode()
    day = html[html.index('id="day"') :]
    assert "王小海" in day and "逾期" in day
    assert 'class="risk-dot red"' in day
    assert f"{reverse('cases:visit_create')}?child={children['xiaohai'].pk}" in day
    assert 'class="btn big"' in html and reverse("cases:visit_pick") in html
    # the day comes before the inbox card and the counts
    assert html.index('id="day"') < html.index("待办事项")
    assert 'id="watch"' in html and "高风险个案" in html


def test_the_day_is_only_for_those_who_visit(users, children):
    assert field_day(users["partner"]) is None
    assert field_day(users["auditor"]) is None
    day = field_day(users["director"])
    assert day is not None and day.rows == [] and day.watch == []


def test_visit_form_preselects_the_open_high_risk_case(users, children, login):
    child = children["xiaohai"]
    CaseFactory(child=child, opened_by=users["director"], risk=Risk.MEDIUM, risk_reason="x")
    high = CaseFactory(child=child, opened_by=users["director"], high_risk=True)
    CaseFactory(child=child, opened_by=users["director"], risk="", risk_reason="")
    response = login(users["director"]).get(reverse("cases:visit_create"), {"child": child.pk})
    assert response.context["form"]["case"].value() == high.pk
    assert f'<option value="{high.pk}" selected>' in response.content.decode()


def test_visit_form_preselects_the_only_open_case(users, children, login):
    child = children["xiaohai"]
    CaseFactory(child=child, opened_by=users["director"], closed=True)
    only = CaseFactory(child=child, opened_by=users["director"])
    response = login(users["director"]).get(reverse("cases:visit_create"), {"child": child.pk})
    assert response.context["form"]["case"].value() == only.pk


def test_the_picker_finds_a_child_by_pinyin_within_scope(users, children, tree, login):
    ChildFactory(person=PersonFactory(name="赵明", years=8), division=tree["c1"])
    client = login(users["director"])
    html = client.get(reverse("cases:visit_pick"), {"q": "wangxiao"}).content.decode()
    assert "王小海" in html and "赵明" not in html
    assert f"?child={children['xiaohai'].pk}" in html
    assert "张伟" not in client.get(reverse("cases:visit_pick"), {"q": "zw"}).content.decode()
