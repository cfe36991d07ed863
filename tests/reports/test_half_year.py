"""The half-year report's figures against the hand-counted data of conftest.py, per scope."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from huhang.core.models import AuditEvent
from huhang.reports.periods import HalfYear

URL = reverse("reports:half_year")
H1 = HalfYear.of(2026, 1)

FIGURES = [
    "new_dfuc",
    "new_orphans",
    "migrant_found",
    "migrant_archived",
    "students_funded",
    "activities",
    "children_reached",
    "trainings",
    "people_trained",
    "partners",
    "served_children",
    "service_hours",
    "orphans_end",
    "dfuc_end",
    "paid",
]

# Hand-counted from the table in conftest.py.
EXPECTED = {
    "bureau": (1, 0, 3, 1, 1, 2, 3, 2, 3, 1, 2, Decimal("3.0"), 1, 1, Decimal("2600.00")),
    "auditor": (1, 0, 3, 1, 1, 2, 3, 2, 3, 1, 2, Decimal("3.0"), 1, 1, Decimal("2600.00")),
    "supervisor": (1, 0, 2, 1, 1, 1, 2, 1, 2, 1, 2, Decimal("3.0"), 1, 1, Decimal("2600.00")),
    "director": (1, 0, 2, 1, 1, 1, 2, 0, 0, 1, 1, Decimal("2.0"), 0, 1, Decimal("0.00")),
    "director2": (0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, Decimal("0.0"), 0, 0, Decimal("0.00")),
}


def _figures(response) -> tuple:
    report = response.context["report"]
    return tuple(report.figure(key) for key in FIGURES)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_figures_of_each_scope(world, users, login, role):
    response = login(users[role]).get(URL, {"period": H1.key})
    assert response.status_code == 200
    assert _figures(response) == EXPECTED[role]


def test_bureau_picks_a_community(world, users, login, tree):
    response = login(users["bureau"]).get(URL, {"period": H1.key, "division": tree["c2"].code})
    report = response.context["report"]
    assert report.division == tree["c2"]
    assert report.figure("orphans_end") == 1  # 李梅
    assert report.figure("served_children") == 1
    assert report.figure("service_hours") == Decimal("1.0")
    assert report.figure("paid") == Decimal("2600.00")
    assert report.figure("new_dfuc") == 0


def test_category_table(world, users, login):
    report = login(users["bureau"]).get(URL, {"period": H1.key}).context["report"]
    rows = {row[0]: row[1:] for row in report.table("categories").rows}
    assert rows["孤儿"] == [0, 1, 1]  # e1 ended 2026-05-01; 李梅 in force
    assert rows["事实无人抚养儿童"] == [1, 0, 1]  # 王小海; 张伟 approved in July
    assert rows["困境儿童"] == [0, 0, 0]  # a rejected candidate is not an ending
    assert rows["流动儿童"] == [1, 0, 1]
    assert report.table("categories").total == ["合计", 2, 1, 3]


def test_units_table_rolls_communities_up_to_streets(world, users, login):
    report = login(users["bureau"]).get(URL, {"period": H1.key}).context["report"]
    rows = {row[0]: row[1:] for row in report.table("units").rows}
    # new orphans, new DFUC, migrants archived, orphans at end, DFUC at end
    assert rows["友谊大街街道"] == [0, 1, 1, 1, 1]
    assert rows["昆河镇"] == [0, 0, 0, 0, 0]


def test_second_half_year(world, users, login):
    report = login(users["bureau"]).get(URL, {"period": "2026H2"}).context["report"]
    assert report.figure("new_dfuc") == 1  # 张伟, 2026-07-05
    assert report.figure("migrant_found") == 1  # the August lead
    assert report.figure("students_funded") == 2  # s1 still on the list, s2 from September
    assert report.figure("paid") == Decimal("0.00")
    assert report.figure("partners") == 1  # 童心有梦 at the summer camp


def test_lead_at_the_last_minute_of_june_counts_in_june(world, users, login):
    report = login(users["director2"]).get(URL, {"period": H1.key}).context["report"]
    assert report.figure("migrant_found") == 1  # raised 2026-06-30 23:30 Beijing time


def test_the_page_shows_the_figures_and_is_audited(world, users, login):
    client = login(users["supervisor"])
    before = AuditEvent.objects.filter(object_type="half_year_report").count()
    response = client.get(URL, {"period": H1.key})
    body = response.content.decode()
    assert "友谊大街街道2026年上半年未成年人保护工作报告" in body
    assert "2,600.00" in body
    assert 'id="table-categories"' in body
    events = AuditEvent.objects.filter(object_type="half_year_report")
    assert events.count() == before + 1
    assert events.latest("pk").action == "view"


def test_bad_period_is_refused_with_the_form(world, users, login):
    response = login(users["bureau"]).get(URL, {"period": "2026H3"})
    assert response.status_code == 400
    assert response.context["report"] is None
    assert response.context["form"].errors["period"]


def test_report_prints_on_a4(world, users, login):
    from django.contrib.staticfiles import finders

    body = login(users["bureau"]).get(URL, {"period": H1.key}).content.decode()
    assert "reports/reports.css" in body
    css = Path(finders.find("reports/reports.css")).read_text(encoding="utf-8")
    assert "@page { size: A4" in css
    assert "break-inside: avoid" in css
    assert "display: table-header-group" in css  # headers repeat on each printed page


def test_children_of_another_district_are_not_counted(world, users, login, tree, orgs):
    """With a child outside the district, the district's figures check each fact's child
    (reports.selectors.child_in) instead of taking every row: the same figures."""
    from tests.factories import ChildFactory, DivisionFactory, PersonFactory
    from tests.factories.cases import CaseFactory, ServiceRecordFactory
    from tests.reports.conftest import approve, at

    other = DivisionFactory(code="150204", name="青山区")
    street = DivisionFactory(code="150204001", name="青山街道", parent=other)
    community = DivisionFactory(code="150204001001", name="青山社区", parent=street)
    child = ChildFactory(person=PersonFactory(name="外区", years=9), division=community)
    approve(users, child, "dfuc", at(2026, 3, 1, 10))
    case = CaseFactory(
        child=child,
        source="school",
        summary="外区个案",
        status="in_service",
        project=world["project"],
        opened_by=users["bureau"],
    )
    ServiceRecordFactory(
        case=case,
        delivered_on=world["project"].starts_on.replace(year=2026, month=3),
        minutes=60,
        worker=users["socialworker"],
    )
    response = login(users["bureau"]).get(URL, {"period": H1.key})
    assert response.context["report"].division.covers_every_child is False
    assert _figures(response) == EXPECTED["bureau"]


def test_figures_do_not_depend_on_the_language(world, users, login):
    response = login(users["supervisor"]).get(URL, {"period": H1.key}, HTTP_ACCEPT_LANGUAGE="en")
    assert _figures(response) == EXPECTED["supervisor"]
