"""The visit schedule: who needs visits, when they are due, at month ends and in leap years."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from huhang.cases.visits import services
from huhang.cases.visits.selectors import (
    child_visit_due,
    child_visits,
    due_soon,
    visit_schedule,
    visits_due,
)
from huhang.core.models import AuditEvent
from huhang.registry.models import Living
from tests.factories.cases import CaseFactory, HomeVisitFactory, ServiceProjectFactory
from tests.factories.registry import CategoryFactory, ChildFactory

CST = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """The rows are dated 2026 to 2028 and each test passes its own `today`; the clock stands
    in the story's middle, so that what the factories stamp "now" (approvals, closures, the
    children's ages) fits it in any year the suite runs."""
    time_machine.move_to(datetime(2027, 6, 1, 10, 0, tzinfo=CST), tick=False)


def approve(child, category="orphan", since=date(2027, 1, 1)):
    return CategoryFactory(child=child, category=category, approved=True, effective_from=since)


def high_risk_case(child, by, opened=datetime(2027, 1, 1, 9, 0, tzinfo=CST), **fields):
    return CaseFactory(child=child, opened_by=by, opened_at=opened, high_risk=True, **fields)


def visit(child, by, visited_on, next_due):
    return HomeVisitFactory(child=child, visitor=by, visited_on=visited_on, next_due=next_due)


def row_of(rows, child):
    found = [r for r in rows if r.child.pk == child.pk]
    assert len(found) <= 1
    return found[0] if found else None


# --- Month ends and leap years ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visited_on", "expected"),
    [
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year: 29 February
        (date(2027, 1, 31), date(2027, 2, 28)),  # common year: 28 February
        (date(2027, 3, 31), date(2027, 4, 30)),  # 30-day month
        (date(2027, 12, 31), date(2028, 1, 31)),  # across the year
    ],
)
def test_monthly_visit_due_clamps_to_month_end(visited_on, expected, users, children):
    child = children["xiaohai"]
    high_risk_case(child, users["director"])
    services.visit_record(
        by=users["director"],
        child=child,
        visited_on=visited_on,
        findings="入户了解情况",
        today=visited_on,
    )
    row = row_of(visit_schedule(user=users["director"], today=visited_on), child)
    assert row.interval_months == 1
    assert row.last_visited_on == visited_on
    assert row.due_on == expected
    assert not row.overdue


def test_quarterly_from_november_end_is_due_on_leap_day(users, children):
    child = children["xiaohai"]
    approve(child, "orphan", since=date(2027, 11, 30))
    row = row_of(visit_schedule(user=users["director"], today=date(2028, 2, 1)), child)
    assert row.interval_months == 3
    assert row.last_visited_on is None
    assert row.due_on == date(2028, 2, 29)
    assert row.days_left == 28


def test_overdue_days_counted_across_leap_day(users, children):
    child = children["xiaohai"]
    approve(child, "dfuc", since=date(2027, 11, 30))
    on_time = row_of(visit_schedule(user=users["director"], today=date(2028, 2, 29)), child)
    late = row_of(visit_schedule(user=users["director"], today=date(2028, 3, 1)), child)
    assert (on_time.overdue, on_time.days_overdue) == (False, 0)
    assert (late.overdue, late.days_overdue) == (True, 1)


def test_first_visit_with_two_reasons(users, children):
    child = children["xiaohai"]
    approve(child, "orphan", since=date(2027, 1, 31))
    high_risk_case(child, users["director"], opened=datetime(2027, 3, 31, 10, 0, tzinfo=CST))
    row = row_of(visit_schedule(user=users["director"], today=date(2027, 4, 1)), child)
    # Orphan: 31 Jan + 3 months = 30 April; high risk: 31 March + 1 month = 30 April.
    assert (row.due_on, row.interval_months) == (date(2027, 4, 30), 1)


def test_a_new_reason_does_not_postpone_an_overdue_visit(users, children):
    child = children["xiaohai"]
    approve(child, "orphan", since=date(2027, 1, 1))  # first visit due 1 April
    high_risk_case(child, users["director"], opened=datetime(2027, 6, 1, 10, 0, tzinfo=CST))
    row = row_of(visit_schedule(user=users["director"], today=date(2027, 6, 2)), child)
    assert (row.due_on, row.days_overdue, row.interval_months) == (date(2027, 4, 1), 62, 1)


def test_high_risk_since_january_is_overdue_before_a_later_approval(users, children):
    child = children["xiaohai"]
    high_risk_case(child, users["director"], opened=datetime(2027, 1, 1, 10, 0, tzinfo=CST))
    approve(child, "orphan", since=date(2027, 6, 1))
    row = row_of(visit_schedule(user=users["director"], today=date(2027, 6, 2)), child)
    assert row.due_on == date(2027, 2, 1)
    assert row.overdue


def test_case_opened_date_is_the_local_date(users, children):
    """00:30 on 1 May in Shanghai is still 30 April in UTC; the rule counts the local day."""
    child = children["xiaohai"]
    high_risk_case(child, users["director"], opened=datetime(2027, 5, 1, 0, 30, tzinfo=CST))
    row = row_of(visit_schedule(user=users["director"], today=date(2027, 5, 2)), child)
    assert row.due_on == date(2027, 6, 1)


def test_latest_visit_decides_not_an_earlier_one(users, children):
    child = children["xiaohai"]
    approve(child, "orphan", since=date(2026, 1, 1))
    visit(child, users["director"], date(2026, 6, 1), date(2026, 9, 1))
    visit(child, users["director"], date(2026, 9, 5), date(2026, 12, 5))
    row = row_of(visit_schedule(user=users["director"], today=date(2026, 12, 10)), child)
    assert row.last_visited_on == date(2026, 9, 5)
    assert row.due_on == date(2026, 12, 5)
    assert row.days_overdue == 5


# --- Which rule applies -------------------------------------------------------------------------


def test_shortest_interval_wins(users, children, settings):
    settings.HUHANG_VISIT_MONTHS = {"orphan": 3, "dfuc": 2, "high_risk": 1}
    orphan_at_risk, dfuc = children["xiaohai"], children["c2"]
    approve(orphan_at_risk, "orphan", since=date(2027, 1, 15))
    high_risk_case(orphan_at_risk, users["director"], opened=datetime(2027, 1, 10, tzinfo=CST))
    approve(dfuc, "dfuc", since=date(2027, 1, 15))
    rows = visit_schedule(user=users["supervisor"], today=date(2027, 1, 20))
    first, second = row_of(rows, orphan_at_risk), row_of(rows, dfuc)
    assert (first.interval_months, first.reason) == (1, "高风险个案")
    assert set(first.reasons) == {"孤儿", "高风险个案"}
    assert first.due_on == date(2027, 2, 10)  # high risk since 10 January, monthly
    assert (second.interval_months, second.reason) == (2, "事实无人抚养儿童")
    assert second.due_on == date(2027, 3, 15)


def test_frequencies_come_from_settings(users, children, settings):
    settings.HUHANG_VISIT_MONTHS = {"orphan": 6, "dfuc": 3, "high_risk": 1}
    approve(children["xiaohai"], "orphan", since=date(2027, 1, 31))
    row = row_of(
        visit_schedule(user=users["director"], today=date(2027, 2, 1)), children["xiaohai"]
    )
    assert row.due_on == date(2027, 7, 31)


def test_children_not_needing_visits_do_not_appear(users, tree):
    by = users["bureau"]
    needs = ChildFactory(division=tree["c1"])
    approve(needs, "orphan")
    candidate = ChildFactory(division=tree["c1"])
    CategoryFactory(child=candidate, category="orphan")
    in_institution = ChildFactory(division=tree["c1"], living=Living.INSTITUTION)
    approve(in_institution, "orphan")
    in_difficulty = ChildFactory(division=tree["c1"])
    approve(in_difficulty, "difficulty")
    medium_risk = ChildFactory(division=tree["c1"])
    CaseFactory(child=medium_risk, opened_by=by, risk="medium")
    closed_high = ChildFactory(division=tree["c1"])
    high_risk_case(closed_high, by, closed=True, closed_by=by, closure_reason="已解决")
    ended = ChildFactory(division=tree["c1"])
    CategoryFactory(
        child=ended, approved=True, effective_from=date(2026, 1, 1), effective_to=date(2026, 12, 31)
    )
    transferred = ChildFactory(division=tree["c1"], status="transferred")
    approve(transferred, "orphan")
    nothing = ChildFactory(division=tree["c1"])
    rows = visit_schedule(user=by, today=date(2027, 6, 1))
    assert [r.child.pk for r in rows] == [needs.pk]
    assert nothing.pk not in [r.child.pk for r in rows]


def test_high_risk_needs_visits_wherever_the_child_lives(users, tree):
    child = ChildFactory(division=tree["c1"], living=Living.FOSTER)
    high_risk_case(child, users["bureau"])
    rows = visit_schedule(user=users["bureau"], today=date(2027, 1, 5))
    assert row_of(rows, child).reason == "高风险个案"


# --- Scope --------------------------------------------------------------------------------------


@pytest.fixture
def all_overdue(children):
    for child in children.values():
        approve(child, "orphan", since=date(2026, 1, 1))
    return children


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("director", {"xiaohai"}),
        ("director2", {"village"}),
        ("supervisor", {"xiaohai", "c2"}),
        ("bureau", {"xiaohai", "c2", "village"}),
        ("socialworker", {"xiaohai"}),
        ("partner", set()),
        ("auditor", set()),
    ],
)
def test_schedule_is_scoped(role, expected, users, all_overdue):
    rows = visit_schedule(user=users[role], today=date(2027, 1, 1))
    names = {k for k, c in all_overdue.items() if c.pk in {r.child.pk for r in rows}}
    assert names == expected
    assert all(r.overdue for r in rows)


def test_schedule_is_one_query_whatever_the_number_of_children(
    users, tree, django_assert_num_queries
):
    for _ in range(3):
        approve(ChildFactory(division=tree["c1"]), "orphan")
    with django_assert_num_queries(1):
        assert len(visit_schedule(user=users["bureau"], today=date(2027, 6, 1))) == 3
    for _ in range(6):
        child = ChildFactory(division=tree["c2"])
        approve(child, "dfuc")
        high_risk_case(child, users["bureau"])
        visit(child, users["bureau"], date(2027, 5, 1), date(2027, 6, 1))
    with django_assert_num_queries(1):
        assert len(visit_schedule(user=users["bureau"], today=date(2027, 6, 1))) == 9


def test_due_soon_keeps_overdue_and_next_30_days_overdue_first(users, tree):
    late, soon, later = (ChildFactory(division=tree["c1"]) for _ in range(3))
    approve(late, "orphan", since=date(2027, 1, 1))  # due 1 April
    approve(soon, "orphan", since=date(2027, 3, 20))  # due 20 June
    approve(later, "orphan", since=date(2027, 5, 1))  # due 1 August
    today = date(2027, 6, 1)
    rows = due_soon(visit_schedule(user=users["director"], today=today), today=today)
    assert [r.child.pk for r in rows] == [late.pk, soon.pk]
    assert rows[0].overdue and not rows[1].overdue


def test_visits_due_records_a_search_event(users, all_overdue):
    rows = visits_due(user=users["director"], today=date(2027, 1, 1))
    assert len(rows) == 1
    event = AuditEvent.objects.get(action="search", object_label="探访计划")
    assert event.username == "director"


# --- For the archive page -----------------------------------------------------------------------


def test_child_visit_due_and_visits(users, children, django_assert_num_queries):
    child = children["xiaohai"]
    approve(child, "orphan", since=date(2027, 1, 31))
    visit(child, users["director"], date(2027, 2, 10), date(2027, 5, 10))
    visit(child, users["supervisor"], date(2027, 3, 1), date(2027, 5, 31))
    with django_assert_num_queries(1):
        row = child_visit_due(child=child, today=date(2027, 6, 2))
    assert (row.due_on, row.days_overdue) == (date(2027, 5, 31), 2)
    assert child_visit_due(child=children["c2"], today=date(2027, 6, 2)) is None
    with django_assert_num_queries(2):
        visits = child_visits(user=users["director"], child=child)
        assert [v.visited_on for v in visits] == [date(2027, 3, 1), date(2027, 2, 10)]
        assert [list(v.photos.all()) for v in visits] == [[], []]


def test_social_worker_sees_only_its_cases_visits(users, children, orgs):
    child = children["xiaohai"]
    project = ServiceProjectFactory(name="童心有梦", contractor=orgs["sw"])
    case = high_risk_case(child, users["director"], project=project)
    own = visit(child, users["socialworker"], date(2027, 2, 1), date(2027, 3, 1))
    on_case = HomeVisitFactory(
        child=child,
        case=case,
        visited_on=date(2027, 2, 2),
        next_due=date(2027, 3, 2),
        visitor=users["director"],
    )
    other = visit(child, users["director"], date(2027, 2, 3), date(2027, 3, 3))
    seen = {v.pk for v in child_visits(user=users["socialworker"], child=child)}
    assert seen == {own.pk, on_case.pk}
    assert other.pk in {v.pk for v in child_visits(user=users["director"], child=child)}
