"""Work reaches the next person: a computed payroll run waits in the second officer's inbox and
home count; long sections are paged (no dead end), oldest first, with their age, old ones marked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huhang.core.roles import Role
from huhang.workbench.selectors import PAGE_SIZE, SECTION_LIMIT, inbox_counts, section_page
from tests.conftest import PASSWORD
from tests.factories.base import UserFactory
from tests.factories.benefits import PayrollRunFactory
from tests.factories.registry import CategoryFactory, ChildFactory


@pytest.fixture
def bureau2(tree):
    return UserFactory(
        username="bureau2", role=Role.BUREAU, division=tree["district"], password=PASSWORD
    )


def test_a_computed_run_waits_for_the_second_officer_not_for_its_computer(users, bureau2, login):
    run = PayrollRunFactory(computed=True, created_by=users["bureau"])
    assert inbox_counts(bureau2)["payroll"] == 1
    assert inbox_counts(bureau2)["total"] >= 1
    assert inbox_counts(users["bureau"])["payroll"] == 0  # four eyes: not the one who computed
    assert inbox_counts(users["supervisor"])["payroll"] == 0

    page = login(bureau2).get("/inbox/").content.decode()
    assert f"/benefits/runs/{run.pk}/" in page
    assert run.programme.name in page
    home = login(bureau2).get("/").content.decode()
    assert "待审批发放批次" in home


def test_an_approved_run_leaves_the_inbox(users, bureau2):
    PayrollRunFactory(approved=True, created_by=users["bureau"], approver=bureau2)
    assert inbox_counts(bureau2)["payroll"] == 0


def _candidates(tree, n, days_ago=0):
    for _ in range(n):
        c = CategoryFactory(child=ChildFactory(division=tree["c1"]), category="left_behind")
        c.proposed_at = timezone.now() - timedelta(days=days_ago)
        c.save(update_fields=["proposed_at"])


def test_a_long_section_links_to_its_own_pages_with_every_item(users, tree, login):
    _candidates(tree, SECTION_LIMIT + PAGE_SIZE + 5)
    client = login(users["director"])
    first = client.get("/inbox/").content.decode()
    assert "另有" not in first
    assert "?section=to_verify" in first
    total = SECTION_LIMIT + PAGE_SIZE + 5
    seen = 0
    for number in (1, 2):
        response = client.get(f"/inbox/?section=to_verify&page={number}")
        assert response.status_code == 200
        seen += response.content.decode().count('<li class="field')
    assert seen == total
    assert "第 1 / 2 页" in client.get("/inbox/?section=to_verify").content.decode()


def test_unknown_or_foreign_section_is_404(users, login):
    assert login(users["director"]).get("/inbox/?section=nope").status_code == 404
    # payroll runs are not a director's
    assert login(users["director"]).get("/inbox/?section=payroll").status_code == 404


def test_oldest_first_with_its_age_and_old_items_marked(users, tree, login):
    _candidates(tree, 1, days_ago=3)
    _candidates(tree, 1, days_ago=900)
    section, _page = section_page(users["director"], "to_verify")
    ages = [item.days_waiting for item in section.items]
    assert ages == [900, 3]
    assert [item.is_old for item in section.items] == [True, False]
    page = login(users["director"]).get("/inbox/").content.decode()
    assert "已等待 900 天" in page and "已等待 3 天" in page
    assert page.count("久未处理") == 1
