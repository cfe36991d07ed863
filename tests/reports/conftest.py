"""A small district with hand-countable figures for the half-year 2026H1 (1 Jan – 30 Jun 2026).

The clock stands at 15 August 2026 (ages count from it, so the figures hold in any year).
Approvals go through the registry services at the moment they happened (time-machine), by
people who may see the child (`officer`); leads, cases, services, payroll lines and community
records are written as those apps store them.

                         友谊一社区 (c1)   友谊二社区 (c2)   河东村 (village)
DFUC approved 2026-03-10   王小海
orphan approved 2025-10-01                  李梅
DFUC approved 2026-07-05                                    张伟          (after H1)
migrant approved 2026-02-01 m1 (c1)
orphan 2025-12-01, ended 2026-05-01 e1 (c1)
candidate rejected 2026-04 r1 (c2)
migrant leads raised       2 (Apr)                          1 (Jun), 1 (Aug: after H1)
scholarship                s1 (c1) 2025-09 → (open)          s2 (village) 2026-09 (after H1)
services of 童心有梦         王小海 90+30 min (Mar, Apr)  李梅 60 min (May)   张伟 45 min (2025-12: before)
orphan-home paid           李梅 2026-03 1,300.00 (exported 03-05, bank: paid),
                                2026-04 1,300.00 (exported 04-05, no return file yet)
activities (held)          A1 c1 2026-05-01 (partner 慈善总会; 王小海, 李梅 attended, m1 absent)
                                                            A2 village 2026-03-03 (张伟 attended)
                           A3 c1 2026-08-01 (after H1)
trainings                  T1 street 2026-04-10 (director, supervisor)
                           T2 district 2026-05-20 (bureau, director)
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from huhang.accounts.models import User
from huhang.benefits import services as benefits
from huhang.benefits.models import Programme
from huhang.benefits.payroll import services as payroll
from huhang.core import scope
from huhang.core.roles import Role
from huhang.registry import services as registry
from huhang.reports.periods import SHANGHAI
from tests.factories import ChildFactory, PersonFactory, UserFactory
from tests.factories.benefits import EntitlementFactory, confirmed
from tests.factories.cases import CaseFactory, ServiceProjectFactory, ServiceRecordFactory
from tests.factories.community import (
    ActivityFactory,
    EnrolmentFactory,
    TrainingAttendanceFactory,
    TrainingFactory,
    WorkstationFactory,
)
from tests.factories.screening import LeadFactory


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(at(2026, 8, 15, 10))


# A fixture user's role, and how many levels above the child's community it is bound.
OFFICERS = {
    "director": (Role.DIRECTOR, 0),
    "supervisor": (Role.SUPERVISOR, 1),
    "bureau": (Role.BUREAU, 2),
}


def officer(users, key: str, child) -> User:
    """The fixture's `key` user if it may see the child, else an officer of the same role bound
    to the child's community, street or district (the one there, or a new one): the registry's
    services write only to the archives their user may see."""
    if scope.contains(users[key], child):
        return users[key]
    role, up = OFFICERS[key]
    division = child.division
    for _ in range(up):
        division = division.parent
    found = User.objects.filter(role=role, division=division).order_by("pk").first()
    return found or UserFactory(role=role, division=division)


def approve(users, child, category: str, when: datetime, *, ended: date | None = None):
    director, supervisor, bureau = (officer(users, k, child) for k in OFFICERS)
    with time_machine.travel(when, tick=False):
        a = registry.category_propose(by=director, child=child, category=category, basis="依据")
        registry.category_verify(by=supervisor, assignment=a)
        registry.category_approve(by=bureau, assignment=a, effective_from=when.date())
    if ended:
        with time_machine.travel(at(ended.year, ended.month, ended.day, 9), tick=False):
            # Four eyes: the end is proposed by one person and confirmed by another.
            registry.category_end(
                by=supervisor, assignment=a, reason="年满18周岁", effective_to=ended
            )
            registry.category_end_confirm(by=bureau, assignment=a)
    return a


def lead(child, kind: str, division, when: datetime, n: int):
    return LeadFactory(
        kind=kind,
        child=child,
        person_key=f"edu:{n}",
        name=child.person.name if child else f"流动{n}",
        division=division,
        fingerprint=f"f{n}",
        raised_at=when,
        category="migrant",
    )


@pytest.fixture
def world(users, children, tree, orgs):
    c1, c2, village = tree["c1"], tree["c2"], tree["village"]
    xiaohai, limei, zhangwei = children["xiaohai"], children["c2"], children["village"]
    m1 = ChildFactory(person=PersonFactory(name="流动一", years=10), division=c1)
    e1 = ChildFactory(person=PersonFactory(name="终止一", years=17), division=c1)
    r1 = ChildFactory(person=PersonFactory(name="驳回一", years=8), division=c2)
    s1 = ChildFactory(person=PersonFactory(name="助学一", years=19), division=c1)
    s2 = ChildFactory(person=PersonFactory(name="助学二", years=18), division=village)

    approve(users, xiaohai, "dfuc", at(2026, 3, 10, 10))
    approve(users, limei, "orphan", at(2025, 10, 1, 10))
    approve(users, zhangwei, "dfuc", at(2026, 7, 5, 10))
    approve(users, m1, "migrant", at(2026, 2, 1, 10))
    approve(users, e1, "orphan", at(2025, 12, 1, 10), ended=date(2026, 5, 1))
    with time_machine.travel(at(2026, 4, 2, 10), tick=False):
        director = officer(users, "director", r1)
        rejected = registry.category_propose(
            by=director, child=r1, category="difficulty", basis="低保"
        )
        registry.category_end(by=director, assignment=rejected, reason="不符合条件")

    lead(None, "migrant", c1, at(2026, 4, 1, 9), 1)
    lead(None, "migrant", c1, at(2026, 4, 2, 9), 2)
    lead(None, "migrant", village, at(2026, 6, 30, 23, 30), 3)
    lead(None, "migrant", village, at(2026, 8, 1, 9), 4)

    scholarship = Programme.objects.get(code="scholarship")
    EntitlementFactory(child=s1, programme=scholarship, starts_on=date(2025, 9, 1))
    EntitlementFactory(child=s2, programme=scholarship, starts_on=date(2026, 9, 1))

    project = ServiceProjectFactory(
        name="童心有梦",
        contractor=orgs["sw"],
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    for child, served in (
        (xiaohai, [(date(2026, 3, 5), 90), (date(2026, 4, 5), 30)]),
        (limei, [(date(2026, 5, 5), 60)]),
        (zhangwei, [(date(2025, 12, 5), 45)]),
    ):
        case = CaseFactory(
            child=child,
            source="school",
            summary="个案",
            status="in_service",
            project=project,
            opened_by=users["director"],
        )
        for day, minutes in served:
            ServiceRecordFactory(
                case=case, delivered_on=day, minutes=minutes, worker=users["socialworker"]
            )

    _payroll(users, limei)

    station_c1 = WorkstationFactory(name="友谊家·童心梦", division=c1, address="友谊一社区")
    station_village = WorkstationFactory(name="河东村工作站", division=village, address="河东村")

    def activity(title, station, day, enrolled):
        act = ActivityFactory(
            title=title,
            kind="sand_tray",
            station=station,
            held_on=day,
            capacity=20,
            created_by=users["director"],
        )
        for child, attended in enrolled:
            EnrolmentFactory(activity=act, child=child, attended=attended)
        return act

    a1 = activity(
        "沙盘游戏", station_c1, date(2026, 5, 1), [(xiaohai, True), (limei, True), (m1, False)]
    )
    a1.partners.add(orgs["partner"])
    activity("面塑", station_village, date(2026, 3, 3), [(zhangwei, True)])
    activity("夏令营", station_c1, date(2026, 8, 1), [(xiaohai, True)]).partners.add(orgs["sw"])

    def training(topic, division, day, people):
        t = TrainingFactory(
            topic=topic,
            held_on=day,
            hours=Decimal("2.0"),
            division=division,
            created_by=users["bureau"],
        )
        for person in people:
            TrainingAttendanceFactory(training=t, user=person)

    training(
        "儿童主任业务培训",
        tree["street"],
        date(2026, 4, 10),
        [users["director"], users["supervisor"]],
    )
    training("全区培训", tree["district"], date(2026, 5, 20), [users["bureau"], users["director"]])
    return {"m1": m1, "e1": e1, "r1": r1, "s1": s1, "s2": s2, "project": project}


def _payroll(users, child) -> None:
    """李梅's orphan-home allowance for March and April 2026, both runs exported."""
    home = Programme.objects.get(code="orphan-home")
    bureau2 = UserFactory(username="bureau2", role=Role.BUREAU, division=users["bureau"].division)
    benefits.standard_set(
        by=users["bureau"], programme=home, effective_from=date(2025, 1, 1), amount_fen=130000
    )
    confirmed(
        benefits.payee_set(
            by=users["bureau"],
            child=child,
            name="监护人",
            relation="祖母",
            bank="中国工商银行包头分行",
            account="6222020200001234567",
            valid_from=date(2025, 12, 1),
        )
    )
    EntitlementFactory(
        child=child, programme=home, starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 1)
    )
    for month in (date(2026, 3, 1), date(2026, 4, 1)):
        with time_machine.travel(at(month.year, month.month, 5, 10), tick=False):
            run = payroll.run_create(by=users["bureau"], programme=home, month=month)
            payroll.run_compute(by=users["bureau"], run=run, today=month)
            payroll.run_approve(by=bureau2, run=run)
            payroll.run_mark_exported(by=users["bureau"], run=run, fmt="xlsx")
            if month.month == 3:  # the bank confirmed March; April's return file is not in
                results = {line.line_id: (True, "") for line in run.lines.all()}
                payroll.run_apply_results(by=users["bureau"], run=run, results=results)
