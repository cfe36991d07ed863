"""The inbox: what waits for each role, the acknowledge button, and constant query counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huhang.cases import services
from huhang.cases.models import Alert, CaseStatus
from huhang.core.models import AuditEvent
from huhang.core.roles import Role
from huhang.workbench.selectors import SECTIONS, inbox_counts, inbox_items
from tests.factories.base import UserFactory
from tests.factories.cases import (
    AlertFactory,
    CaseFactory,
    ReferralFactory,
    ServicePlanFactory,
    ServiceProjectFactory,
)
from tests.factories.registry import CategoryFactory, ChildFactory

URL = "/inbox/"


def keys(sections) -> dict:
    return {s.key: s for s in sections}


def names(section) -> set[str]:
    out = set()
    for item in section.items:
        child = getattr(item, "child", None) or item.case.child
        out.add(child.person.name)
    return out


def candidate(child, category="left_behind"):
    return CategoryFactory(child=child, category=category)


def verified(child, by, category="migrant"):
    return CategoryFactory(child=child, category=category, verified=True, verified_by=by)


def approved(child, category="orphan", since=date(2020, 1, 1)):
    return CategoryFactory(child=child, category=category, approved=True, effective_from=since)


def case_of(child, by, **traits):
    """A high-risk case of the child opened by `by` (pass risk="" for another)."""
    return CaseFactory(child=child, opened_by=by, **{"high_risk": True, **traits})


def referral(case, by, days_ago, **fields):
    return ReferralFactory(
        case=case, sent_by=by, sent_on=timezone.localdate() - timedelta(days=days_ago), **fields
    )


@pytest.fixture
def project(orgs):
    return ServiceProjectFactory(name="童心有梦", contractor=orgs["sw"])


# --- Categories ---------------------------------------------------------------------------------


def test_director_sees_candidates_of_its_community_to_verify(users, children):
    mine = candidate(children["xiaohai"])
    candidate(children["village"])
    verified(children["xiaohai"], users["director"])
    sections = keys(inbox_items(users["director"]))
    assert [a.pk for a in sections["to_verify"].items] == [mine.pk]
    assert sections["to_verify"].count == 1
    assert "to_approve" not in sections  # only the bureau approves
    assert sections["to_verify"].items[0].inbox_url == reverse(
        "registry:category_step", args=[mine.pk, "verify"]
    )


def test_bureau_sees_verified_to_approve(users, children):
    one = verified(children["c2"], users["supervisor"])
    two = verified(children["village"], users["director2"])
    candidate(children["xiaohai"])
    sections = keys(inbox_items(users["bureau"]))
    assert {a.pk for a in sections["to_approve"].items} == {one.pk, two.pk}
    assert names(sections["to_verify"]) == {"王小海"}
    assert sections["to_approve"].items[0].inbox_url.endswith("/approve/")


# --- Alerts -------------------------------------------------------------------------------------


def test_supervisor_sees_high_risk_alert_and_acknowledge_removes_it(users, children, login):
    case = services.case_open(
        by=users["director"],
        child=children["xiaohai"],
        source="school",
        summary="学校报告孩子长期缺课",
        risk="high",
        risk_reason="独自在家无人照料",
    )
    alert = Alert.objects.get(case=case)
    client = login(users["supervisor"])
    page = client.get(URL)
    assert alert.message in page.content.decode()
    assert [a.pk for a in keys(page.context["sections"])["alerts"].items] == [alert.pk]
    ack = reverse("cases:alert_acknowledge", args=[alert.pk])
    assert ack in page.content.decode()

    response = client.post(ack)
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:inbox")
    alert.refresh_from_db()
    assert alert.acknowledged_by == users["supervisor"]
    assert alert.acknowledged_at is not None
    assert "alerts" not in {s.key for s in client.get(URL).context["sections"] if s.count}
    assert inbox_counts(users["bureau"])["alerts"] == 0


def test_alert_of_another_street_is_not_shown_and_cannot_be_acknowledged(
    users, children, tree, login
):
    town_supervisor = UserFactory(
        username="supervisor2", role=Role.SUPERVISOR, division=tree["town"]
    )
    case_of(children["xiaohai"], users["director"])
    case = case_of(children["village"], users["director2"])
    mine = AlertFactory(case=case, message="高风险个案：张伟")
    theirs = AlertFactory(case=children["xiaohai"].cases.get(), message="高风险个案：王小海")
    sections = keys(inbox_items(town_supervisor))
    assert [a.pk for a in sections["alerts"].items] == [mine.pk]
    client = login(town_supervisor)
    assert client.post(reverse("cases:alert_acknowledge", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("cases:alert_acknowledge", args=[999999])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None


@pytest.mark.parametrize(
    ("role", "status"),
    [("director", 403), ("socialworker", 403), ("auditor", 403), ("partner", 403)],
)
def test_acknowledge_needs_case_approve(role, status, users, children, login):
    alert = AlertFactory(case=case_of(children["xiaohai"], users["director"]))
    url = reverse("cases:alert_acknowledge", args=[alert.pk])
    assert login(users[role]).post(url).status_code == status
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_acknowledge_get_is_405(users, children, login):
    alert = AlertFactory(case=case_of(children["xiaohai"], users["director"]))
    url = reverse("cases:alert_acknowledge", args=[alert.pk])
    assert login(users["supervisor"]).get(url).status_code == 405


def test_director_has_no_alert_section(users, children):
    AlertFactory(case=case_of(children["xiaohai"], users["director"]))
    assert "alerts" not in keys(inbox_items(users["director"]))
    assert inbox_counts(users["director"])["alerts"] == 0


# --- Plans and closures -------------------------------------------------------------------------


def test_plans_and_closures_wait_for_case_approve_roles(users, children):
    by = users["director"]
    assessed = case_of(children["xiaohai"], by, status=CaseStatus.ASSESSED)
    plan = ServicePlanFactory(case=assessed, goals="稳定住房，恢复社交", drafted_by=by)
    own = ServicePlanFactory(case=assessed, goals="督导员自己起草", drafted_by=users["supervisor"])
    ServicePlanFactory(
        case=assessed, goals="已批准", drafted_by=by, approved=True, approved_by=users["bureau"]
    )
    closing = case_of(children["c2"], by, closing=True, closure_reason="已搬迁", risk="")
    case_of(children["village"], users["director2"], closing=True, risk="")
    supervisor = keys(inbox_items(users["supervisor"]))
    assert [p.pk for p in supervisor["plans"].items] == [plan.pk]  # not its own draft
    assert supervisor["plans"].items[0].inbox_url == reverse(
        "cases:case_detail", args=[assessed.pk]
    )
    assert supervisor["closures"].items[0].inbox_url == reverse(
        "cases:case_detail", args=[closing.pk]
    )
    assert [c.pk for c in supervisor["closures"].items] == [closing.pk]
    bureau = keys(inbox_items(users["bureau"]))
    assert {p.pk for p in bureau["plans"].items} == {plan.pk, own.pk}
    assert bureau["closures"].count == 2
    director = keys(inbox_items(users["director"]))
    assert "plans" not in director and "closures" not in director


# --- Referrals ----------------------------------------------------------------------------------


def test_referrals_without_answer_after_the_limit(users, children, settings, project):
    settings.HUHANG_REFERRAL_ANSWER_DAYS = 15
    by = users["director"]
    case = case_of(children["xiaohai"], by, project=project)
    late = referral(case, by, 15)
    referral(case, by, 14)  # still within the limit
    referral(case, by, 30, answered=True, responded_on=timezone.localdate())
    other = case_of(children["c2"], users["supervisor"])
    theirs = referral(other, users["supervisor"], 40)

    director = keys(inbox_items(by))["referrals"]
    assert [r.pk for r in director.items] == [late.pk]
    assert director.items[0].days_waiting == 15
    worker = keys(inbox_items(users["socialworker"]))
    assert [r.pk for r in worker["referrals"].items] == [late.pk]
    assert {r.pk for r in keys(inbox_items(users["supervisor"]))["referrals"].items} == {
        late.pk,
        theirs.pk,
    }


def test_social_worker_sees_only_its_cases(users, children, project):
    """Its project's referral, nothing of categories, approvals, alerts or visit schedules."""
    by = users["director"]
    approved(children["xiaohai"])  # overdue visit
    candidate(children["xiaohai"])
    project_case = case_of(children["xiaohai"], by, project=project)
    own = referral(project_case, by, 20)
    not_ours = case_of(children["xiaohai"], by)
    referral(not_ours, by, 20)
    AlertFactory(case=project_case)
    sections = keys(inbox_items(users["socialworker"]))
    assert set(sections) == {"referrals"}
    assert [r.pk for r in sections["referrals"].items] == [own.pk]
    counts = inbox_counts(users["socialworker"])
    assert counts["referrals"] == 1 and counts["total"] == 1


# --- Visits -------------------------------------------------------------------------------------


def test_visits_overdue_and_due_soon_scoped(users, children, tree, time_machine):
    time_machine.move_to(datetime(2027, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    today = date(2027, 6, 1)
    approved(children["xiaohai"], since=date(2027, 1, 1))  # due 1 April: overdue
    soon = ChildFactory(division=tree["c1"])
    approved(soon, "dfuc", since=date(2027, 3, 15))  # due 15 June: soon
    approved(children["village"], since=date(2027, 1, 1))
    director = keys(inbox_items(users["director"], today))
    assert names(director["visits_overdue"]) == {"王小海"}
    assert [r.child.pk for r in director["visits_soon"].items] == [soon.pk]
    supervisor = keys(inbox_items(users["supervisor"], today))
    assert names(supervisor["visits_overdue"]) == {"王小海"}
    assert keys(inbox_items(users["bureau"], today))["visits_overdue"].count == 2
    assert "visits_overdue" not in keys(inbox_items(users["socialworker"], today))


def test_leads_section_is_empty_without_leads(users, children):
    # The leads section itself is tested in test_inbox_leads.py.
    assert keys(inbox_items(users["director"]))["leads"].count == 0
    assert inbox_counts(users["director"])["leads"] == 0


# --- Counts and limits --------------------------------------------------------------------------


def test_counts_for_the_home_page(users, children):
    candidate(children["xiaohai"])
    candidate(children["c2"])
    verified(children["village"], users["director2"])
    approved(children["xiaohai"])
    counts = inbox_counts(users["supervisor"])
    assert set(counts) == {*SECTIONS, "total"}
    assert counts["to_verify"] == 2
    assert counts["to_approve"] == 0
    assert counts["visits_overdue"] == 1
    assert counts["total"] == 3
    assert inbox_counts(users["partner"]) == dict.fromkeys([*SECTIONS, "total"], 0)


def test_long_sections_are_cut_but_counted(users, tree):
    for _ in range(4):
        candidate(ChildFactory(division=tree["c1"]))
    section = keys(inbox_items(users["director"], limit=3))["to_verify"]
    assert (len(section.items), section.count, section.more) == (3, 4, 1)


def _populate(users, tree, n):
    """n children in the supervisor's street with something in every section."""
    for i in range(n):
        child = ChildFactory(division=tree["c1" if i % 2 else "c2"])
        approved(child)
        candidate(child)
        case = case_of(child, users["director"], with_plan=True)
        AlertFactory(case=case)
        referral(case, users["director"], 30)
        case_of(child, users["director"], closing=True, closure_reason="完成")


# Pinned: visits 1 + leads 1 + categories to verify 1 + plans 1 + closures 1 + alerts 1
# + referrals 1 + the audit event 3 (lock the chain's head, insert, move it). The bureau adds
# categories to approve and payroll runs to approve.
@pytest.mark.parametrize(("role", "items", "counts"), [("supervisor", 10, 7), ("bureau", 12, 9)])
def test_query_counts_are_constant(role, items, counts, users, tree, django_assert_num_queries):
    user = users[role]
    _populate(users, tree, 2)
    with django_assert_num_queries(items):
        small = inbox_items(user)
    with django_assert_num_queries(counts):
        inbox_counts(user)
    _populate(users, tree, 8)
    with django_assert_num_queries(items):
        large = inbox_items(user)
        # Rendering reads only what the queries fetched.
        [(getattr(i, "inbox_url", ""), str(i)) for s in large for i in s.items]
    with django_assert_num_queries(counts):
        totals = inbox_counts(user)
    assert keys(large)["alerts"].count == keys(small)["alerts"].count + 8 == 10
    assert keys(large)["visits_overdue"].count == 10
    assert totals["to_verify"] == 10 and totals["closures"] == 10


def test_inbox_page_query_count_does_not_grow(users, tree, login):
    client = login(users["supervisor"])
    _populate(users, tree, 2)
    client.get(URL)  # session warm-up
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    _populate(users, tree, 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --- The page -----------------------------------------------------------------------------------


def test_page_lists_items_with_links(users, children, login):
    assignment = candidate(children["xiaohai"])
    response = login(users["director"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "王小海" in html
    assert reverse("registry:category_step", args=[assignment.pk, "verify"]) in html
    assert AuditEvent.objects.filter(action="search", object_label="待办事项").exists()


def test_empty_inbox_says_so(users, children, login):
    response = login(users["director2"]).get(URL)
    assert "暂无待办事项" in response.content.decode()


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
def test_page_roles(role, status, users, login):
    assert login(users[role]).get(URL).status_code == status


def test_page_post_is_405(users, login):
    assert login(users["director"]).post(URL).status_code == 405


def test_home_page_shows_the_inbox_counts(users, children, login):
    from huhang.registry import services as registry_services

    registry_services.category_propose(
        by=users["director"], child=children["xiaohai"], category="dfuc", basis="父亲服刑"
    )
    body = login(users["director"]).get(reverse("workbench:home")).content.decode()
    assert "待办事项" in body and "待核实认定 1" in body


def test_the_old_inbox_address_redirects_to_the_workbench(users, login):
    response = login(users["director"]).get("/cases/inbox/")
    assert response.status_code == 301
    assert response["Location"] == "/inbox/"
