"""The cases list: the user's scope, filters by status and risk, newest first, pages, queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huhang.cases import services
from huhang.cases.models import Case
from huhang.core.models import AuditEvent
from tests.factories.cases import ServiceProjectFactory
from tests.factories.registry import ChildFactory, PersonFactory


def _open(by, child, **extra):
    return services.case_open(by=by, child=child, source="hotline", summary="热线来电", **extra)


@pytest.fixture
def cases(users, children):
    bureau = users["bureau"]
    return {
        "xiaohai": _open(bureau, children["xiaohai"], risk="high", risk_reason="无人照料"),
        "c2": _open(bureau, children["c2"]),
        "village": _open(bureau, children["village"], risk="low", risk_reason="初步了解"),
    }


def listed(response) -> list[int]:
    return [c.pk for c in response.context["page"]]


def test_bureau_sees_all_newest_first(users, cases, login):
    response = login(users["bureau"]).get(reverse("cases:case_list"))
    assert listed(response) == [cases["village"].pk, cases["c2"].pk, cases["xiaohai"].pk]


def test_each_user_sees_its_scope_only(users, cases, login):
    assert listed(login(users["director"]).get(reverse("cases:case_list"))) == [cases["xiaohai"].pk]
    supervisor = listed(login(users["supervisor"]).get(reverse("cases:case_list")))
    assert set(supervisor) == {cases["xiaohai"].pk, cases["c2"].pk}
    assert listed(login(users["director2"]).get(reverse("cases:case_list"))) == [
        cases["village"].pk
    ]


@pytest.mark.parametrize("role", ["partner", "dataofficer", "auditor"])
def test_roles_without_case_work_get_403(role, users, cases, login):
    assert login(users[role]).get(reverse("cases:case_list")).status_code == 403


def test_filter_by_status_and_risk(users, cases, login):
    services.case_request_closure(by=users["bureau"], case=cases["c2"], reason="误报")
    client = login(users["bureau"])
    url = reverse("cases:case_list")
    assert listed(client.get(url, {"status": "closing"})) == [cases["c2"].pk]
    assert listed(client.get(url, {"risk": "high"})) == [cases["xiaohai"].pk]
    assert listed(client.get(url, {"status": "open", "risk": "low"})) == [cases["village"].pk]
    assert listed(client.get(url, {"status": "closing", "risk": "high"})) == []
    # An unknown value is not a filter that leaks: the whole scope, as without it.
    assert len(listed(client.get(url, {"status": "nonsense"}))) == 3


def test_rows_show_child_status_and_red_high_risk(users, cases, login):
    body = login(users["bureau"]).get(reverse("cases:case_list")).content.decode()
    assert "王小海" in body and "李梅" in body and "张伟" in body
    assert "已立案" in body
    assert body.count("risk-high") == 1


def test_list_is_audited_as_a_search(users, cases, login):
    login(users["director"]).get(reverse("cases:case_list"), {"risk": "high"})
    event = AuditEvent.objects.get(action="search", object_type="case")
    assert event.username == "director" and event.detail == {"risk": "high"}


def test_htmx_request_gets_only_the_results(users, cases, login):
    response = login(users["bureau"]).get(
        reverse("cases:case_list"), {"risk": "high"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body


def test_pages(users, tree, login, settings):
    settings.HUHANG_PAGE_SIZE = 2
    for i in range(5):
        child = ChildFactory(person=PersonFactory(name=f"分页{i}", years=8), division=tree["c1"])
        _open(users["bureau"], child)
    client = login(users["bureau"])
    first = client.get(reverse("cases:case_list"))
    third = client.get(reverse("cases:case_list"), {"page": 3})
    assert len(listed(first)) == 2 and len(listed(third)) == 1
    assert "第 1 / 3 页" in first.content.decode()


def _queries_for_page(client, page_size, settings) -> int:
    settings.HUHANG_PAGE_SIZE = page_size
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:case_list"))
    assert len(response.context["page"].object_list) == page_size
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_page_size(users, tree, orgs, login, settings):
    project = ServiceProjectFactory(name="童心有梦", contractor=orgs["sw"])
    start = timezone.now() - timedelta(days=40)
    for i in range(30):
        child = ChildFactory(person=PersonFactory(name=f"测试{i}", years=8), division=tree["c1"])
        case = _open(users["bureau"], child, project=project, risk="medium", risk_reason="x")
        Case.objects.filter(pk=case.pk).update(opened_at=start + timedelta(days=i))
    client = login(users["bureau"])
    client.get(reverse("cases:case_list"))  # warm the session
    small = _queries_for_page(client, 5, settings)
    large = _queries_for_page(client, 25, settings)
    assert small == large


def test_list_query_count_is_pinned(users, cases, login, django_assert_num_queries):
    client = login(users["bureau"])
    client.get(reverse("cases:case_list"))  # warm the session
    # session, user, user's division (menu), audit (3: lock the chain's head, insert, move it), count, page rows with child, person,
    # division and project joined, then the session's save (savepoint, update, release).
    with django_assert_num_queries(11):
        client.get(reverse("cases:case_list"))
