"""Purchased-service project progress against targets, hand-counted."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from huhang.community.activities import services as activities
from huhang.community.projects import selectors as projects_read
from huhang.community.projects import services as projects
from tests.factories.cases import CaseFactory, ServiceProjectFactory, ServiceRecordFactory
from tests.factories.community import EnrolmentFactory


def test_progress_against_targets(users, orgs, children, stations, login):
    bureau = users["bureau"]
    project = ServiceProjectFactory(
        name="童心有梦",
        contractor=orgs["sw"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        budget_fen=30000000,
        target_cases=4,
        target_hours=10,
    )
    other = ServiceProjectFactory(
        name="别的项目",
        contractor=orgs["sw"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    case1 = CaseFactory(child=children["xiaohai"], summary="a", opened_by=bureau, project=project)
    case2 = CaseFactory(child=children["c2"], summary="b", opened_by=bureau, project=project)
    case3 = CaseFactory(child=children["village"], summary="c", opened_by=bureau, project=other)
    worker = users["socialworker"]
    for case, minutes, proj in [
        (case1, 90, project),
        (case1, 60, project),
        (case2, 45, project),
        (case3, 600, other),
    ]:
        ServiceRecordFactory(
            case=case, delivered_on=date(2026, 3, 1), minutes=minutes, worker=worker, project=proj
        )
    held = activities.activity_create(
        by=users["supervisor"],
        station=stations["street"],
        title="项目活动",
        kind="tutoring",
        held_on=date(2026, 4, 1),
        capacity=10,
        project=project,
    )
    activities.activity_create(
        by=users["supervisor"],
        station=stations["street"],
        title="未来活动",
        kind="tutoring",
        held_on=date(2026, 11, 1),
        capacity=10,
        project=project,
    )
    for child in (children["xiaohai"], children["c2"]):
        EnrolmentFactory(activity=held, child=child, attended=True)
    projects.project_target_set(by=bureau, project=project, target_activities=4, target_children=8)

    rows = {p.name: p for p in projects_read.project_progress(user=bureau, today=date(2026, 6, 1))}
    p = rows["童心有梦"]
    # 2 distinct cases; 90+60+45 = 195 minutes; 1 activity held by 2026-06-01; 2 children.
    assert (p.cases_served, p.service_minutes, p.activities_held, p.children_in_activities) == (
        2,
        195,
        1,
        2,
    )
    assert (rows["别的项目"].cases_served, rows["别的项目"].service_minutes) == (1, 600)
    assert rows["别的项目"].activities_held == 0

    html = (
        login(bureau).get(reverse("community:project_detail", args=[project.pk])).content.decode()
    )
    assert '<td class="done-cases">2</td>' in html
    assert '<td class="done-hours">3.2</td>' in html  # 195 min = 3.25 h, shown as 3.2
    assert projects_read.project_progress(user=users["partner"]).count() == 0
