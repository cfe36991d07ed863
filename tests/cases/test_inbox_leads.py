"""The inbox's leads section (待处理线索): each role's waiting leads, one query, home counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huhang.core.roles import Role, can
from huhang.screening.leads.selectors import leads_waiting
from huhang.screening.models import Lead
from huhang.workbench.selectors import inbox_counts, inbox_items
from tests.factories.base import UserFactory
from tests.factories.screening import LeadFactory as make_lead


def section(user):
    return {s.key: s for s in inbox_items(user)}.get("leads")


def with_status(lead, status):
    Lead.objects.filter(pk=lead.pk).update(
        status=status, reject_reason="不属实" if status == "rejected" else ""
    )
    return lead


@pytest.fixture
def leads(tree, children):
    return {
        "new_c1": make_lead(division=tree["c1"], child=children["xiaohai"]),
        "new_c2": make_lead(division=tree["c2"], child=children["c2"], kind="migrant"),
        "verified_c1": with_status(
            make_lead(division=tree["c1"], child=children["xiaohai"], kind="left_behind"),
            "verified",
        ),
        "reviewed_village": with_status(
            make_lead(division=tree["village"], child=children["village"], kind="dfuc"),
            "reviewed",
        ),
        "new_street": make_lead(division=tree["street"], region_flagged=True),
        "rejected": with_status(
            make_lead(division=tree["c1"], child=children["xiaohai"], kind="difficulty"),
            "rejected",
        ),
    }


def test_director_waits_for_new_leads_of_its_community(users, leads):
    found = section(users["director"])
    assert [lead.pk for lead in found.items] == [leads["new_c1"].pk]
    assert found.items[0].inbox_url == reverse("screening:lead_detail", args=[leads["new_c1"].pk])
    assert section(users["director2"]).count == 0


def test_supervisor_waits_for_verified_leads_and_those_routed_to_its_street(users, leads):
    found = section(users["supervisor"])
    assert {lead.pk for lead in found.items} == {
        leads["verified_c1"].pk,
        leads["new_street"].pk,
    }


def test_bureau_waits_for_reviewed_leads(users, leads):
    assert [lead.pk for lead in section(users["bureau"]).items] == [leads["reviewed_village"].pk]


@pytest.mark.parametrize("role", ["socialworker", "partner", "dataofficer", "auditor"])
def test_other_roles_have_no_leads_section(role, users, leads):
    assert section(users[role]) is None
    assert inbox_counts(users[role])["leads"] == 0


def test_counts_and_home_page(users, leads, login):
    assert inbox_counts(users["director"])["leads"] == 1
    assert inbox_counts(users["supervisor"])["leads"] == 2
    counts = inbox_counts(users["bureau"])
    assert counts["leads"] == 1 and counts["total"] >= 1
    body = login(users["director"]).get(reverse("workbench:home")).content.decode()
    assert "待办事项" in body
    page = login(users["director"]).get(reverse("workbench:inbox")).content.decode()
    assert "待处理线索" in page and "王小海" in page
    assert reverse("screening:lead_detail", args=[leads["new_c1"].pk]) in page


def test_leads_section_is_one_query_whatever_the_number(
    users, tree, children, django_assert_num_queries
):
    user = UserFactory(username="d1", role=Role.DIRECTOR, division=tree["c1"])
    make_lead(division=tree["c1"], child=children["xiaohai"])
    with django_assert_num_queries(1):
        items = waiting(user)
    for n in range(10):
        lead = make_lead(division=tree["c1"], kind="migrant")
        Lead.objects.filter(pk=lead.pk).update(person_key=f"p{n}")
    with django_assert_num_queries(1):
        more = waiting(user)
    assert len(items) == 1 and len(more) == 11
    # What the inbox card shows was fetched with the rows.
    with django_assert_num_queries(0):
        [(lead.name, lead.division.name, lead.get_kind_display()) for lead in more]


def waiting(user):
    return list(leads_waiting(user)) if can(user, "lead.verify") else []
