"""The dashboard's figures against the hand-counted data of conftest.py, at a frozen date."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from huhang.core.models import AuditEvent
from tests.reports.conftest import at

URL = reverse("reports:dashboard")


@pytest.fixture
def august(world):
    """15 August 2026: month = August, half-year = 2026H2, after every record of the world."""
    with time_machine.travel(at(2026, 8, 15, 10), tick=False):
        yield


def _get(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["board"]


def test_district_dashboard(august, client, users):
    board = _get(client, users["bureau"])
    units = {u.name: u for u in board.units}
    street, town = units["友谊大街街道"], units["昆河镇"]
    assert (street.children, town.children) == (6, 2)
    assert street.categories == {"orphan": 1, "dfuc": 1, "migrant": 1}
    assert town.categories == {"dfuc": 1}  # 张伟, approved 2026-07-05
    assert (street.overdue, town.overdue) == (2, 0)  # 王小海 and 李梅 were never visited
    assert board.total.children == 8
    changes = {c.category: c for c in board.changes}
    assert (changes["dfuc"].approved_month, changes["dfuc"].approved_half) == (0, 1)
    assert changes["orphan"].ended_half == 0  # e1 ended in May: the first half-year
    assert board.leads == [
        ("new", "待核实", 4),
        ("verified", "已核实，待复核", 0),
        ("reviewed", "已复核，待审批", 0),
    ]
    assert (board.visits_overdue, board.visits_due_soon) == (2, 0)
    assert dict((r, n) for r, _l, n in board.cases) == {"high": 0, "medium": 0, "low": 0, "": 3}
    assert board.community == {
        "activities_month": 1,
        "activities_half": 1,
        "trainings_month": 0,
        "trainings_half": 0,
        "partners_half": 1,
    }


def test_director_sees_its_community_only(august, client, users, tree):
    board = _get(client, users["director"])
    assert [u.code for u in board.units] == [tree["c1"].code]
    row = board.units[0]
    assert row.children == 4
    assert row.categories == {"dfuc": 1, "migrant": 1}
    assert row.overdue == 1
    assert board.leads_waiting == 2
    assert board.open_cases == 1


def test_supervisor_sees_communities_of_its_street(august, client, users):
    board = _get(client, users["supervisor"])
    assert {u.name: u.children for u in board.units} == {"友谊一社区": 4, "友谊二社区": 2}
    assert board.unit_label == "社区/村"


def test_bureau_picks_a_street(august, client, users, tree):
    board = _get(client, users["bureau"], division=tree["town"].code)
    assert board.division == tree["town"]
    assert board.total.children == 2
    assert board.leads_waiting == 2


def test_payments_on_time_and_in_full(world, client, users):
    with time_machine.travel(at(2026, 4, 20, 10), tick=False):
        board = _get(client, users["bureau"])
        director = _get(client, users["director"])
    months = [(f"{p.month:%Y-%m}", p.entitled, p.on_time_in_full) for p in board.payments]
    # March: exported on the 5th and confirmed by the bank; April: no return file yet.
    assert months == [("2026-02", 0, 0), ("2026-03", 1, 1), ("2026-04", 1, 0)]
    assert [p.entitled for p in director.payments] == [0, 0, 0]  # 李梅 lives in 友谊二社区


def test_page_renders_charts_and_is_audited(august, client, users):
    client.force_login(users["bureau"])
    before = AuditEvent.objects.filter(object_type="dashboard").count()
    body = client.get(URL).content.decode()
    # Three charts, each drawn for a desk and for a phone.
    assert body.count('<svg class="chart wide"') == body.count('<svg class="chart narrow"') == 3
    assert "<title" in body and "友谊大街街道" in body
    assert 'id="visits-overdue">2<' in body
    assert AuditEvent.objects.filter(object_type="dashboard").count() == before + 1


def test_children_of_another_district_are_not_counted(world, client, users):
    from tests.factories import ChildFactory, DivisionFactory, PersonFactory
    from tests.reports.conftest import approve

    other = DivisionFactory(code="150204", name="青山区")
    street = DivisionFactory(code="150204001", name="青山街道", parent=other)
    community = DivisionFactory(code="150204001001", name="青山社区", parent=street)
    child = ChildFactory(person=PersonFactory(name="外区", years=9), division=community)
    approve(users, child, "dfuc", at(2026, 7, 20, 10))
    with time_machine.travel(at(2026, 8, 15, 10), tick=False):
        board = _get(client, users["bureau"])
    assert board.division.covers_every_child is False
    assert board.total.children == 8
    assert board.total.categories == {"orphan": 1, "dfuc": 2, "migrant": 1}
    assert {c.category: c.approved_half for c in board.changes}["dfuc"] == 1
