"""The visits page /cases/visits/: overdue first and in red, then due within 30 days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories.cases import HomeVisitFactory
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory

URL = "/cases/visits/"
TODAY = datetime(2027, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def approve(child, category, since):
    return CategoryFactory(child=child, category=category, approved=True, effective_from=since)


@pytest.fixture
def schedule(users, children, tree):
    """xiaohai overdue since 1 April; 赵晴 (same community) due 20 June; 孙越 due in August;
    c2 and village overdue but outside the director's community."""
    approve(children["xiaohai"], "orphan", since=date(2027, 1, 1))
    soon = ChildFactory(person=PersonFactory(name="赵晴", years=8), division=tree["c1"])
    approve(soon, "orphan", since=date(2027, 3, 20))
    later = ChildFactory(person=PersonFactory(name="孙越", years=8), division=tree["c1"])
    approve(later, "orphan", since=date(2027, 1, 1))
    HomeVisitFactory(
        child=later,
        visitor=users["director"],
        visited_on=date(2027, 5, 1),
        next_due=date(2027, 8, 1),
    )
    approve(children["c2"], "dfuc", since=date(2026, 12, 1))
    approve(children["village"], "orphan", since=date(2026, 12, 1))
    return {"soon": soon, "later": later}


@time_machine.travel(TODAY, tick=False)
def test_director_sees_its_community_overdue_first_in_red(users, children, schedule, login):
    response = login(users["director"]).get(URL)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.child.person.name for r in rows] == ["王小海", "赵晴"]
    assert rows[0].days_overdue == 61
    html = response.content.decode()
    assert html.index("王小海") < html.index("赵晴")
    assert "孙越" not in html and "李梅" not in html and "张伟" not in html
    overdue_row = html[html.index('<tr class="overdue">') :]
    assert "王小海" in overdue_row.split("</tr>")[0]
    assert 'class="red"' in overdue_row.split("</tr>")[0]
    assert "逾期 61 天" in html
    assert f"{reverse('cases:visit_create')}?child={children['xiaohai'].pk}" in html


@time_machine.travel(TODAY, tick=False)
def test_supervisor_sees_its_street(users, children, schedule, login):
    rows = login(users["supervisor"]).get(URL).context["rows"]
    assert {r.child.person.name for r in rows} == {"王小海", "赵晴", "李梅"}
    assert [r.overdue for r in rows] == [True, True, False]


@time_machine.travel(TODAY, tick=False)
def test_empty_list_says_so(users, children, login):
    response = login(users["director2"]).get(URL)
    assert response.context["rows"] == []
    assert "近期没有应探访的儿童" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("bureau", 200),
        ("supervisor", 200),
        ("director", 200),
        ("socialworker", 200),
        ("partner", 403),
        ("dataofficer", 403),
        ("auditor", 403),
    ],
)
def test_roles(role, status, users, login):
    assert login(users[role]).get(URL).status_code == status


def test_post_is_405(users, login):
    assert login(users["director"]).post(URL).status_code == 405


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
