"""Field work on a phone, in a real browser at 360 px: the menu folds behind a button and the
page starts high enough; the current page is marked; a payroll run computed by one officer
reaches the second officer's home count and inbox, and that officer approves it there."""

from __future__ import annotations

import re

import pytest

from huhang.benefits.models import RunStatus
from huhang.core.roles import Role
from tests.conftest import PASSWORD
from tests.e2e.test_browser import assert_fits_viewport, log_in
from tests.factories.base import UserFactory
from tests.factories.benefits import PayrollRunFactory


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    return box


@pytest.mark.browser
def test_the_menu_folds_on_a_phone_and_marks_the_current_page(phone, live_server, users):
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "bureau", PASSWORD)  # the bureau has the longest menu (fifteen links)
    expect(page).to_have_url(f"{live_server.url}/")

    toggle = page.get_by_role("button", name="菜单")
    menu = page.get_by_role("navigation", name="主菜单")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    # The content starts near the top of a 740 px screen, not below four rows of links.
    assert _box(page.locator("main h1"))["y"] <= 140
    box = _box(toggle)
    assert box["width"] >= 44 and box["height"] >= 44
    assert_fits_viewport(page)

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    links = menu.get_by_role("link")
    assert links.count() >= 10
    for i in range(links.count()):
        link_box = _box(links.nth(i))
        assert link_box["height"] >= 44, f"{links.nth(i).inner_text()} is too small to tap"
    expect(menu.locator("[aria-current=page]")).to_have_text("首页")
    logout = page.get_by_role("button", name="退出")
    assert _box(logout)["height"] >= 44 and _box(logout)["width"] >= 44

    menu.get_by_role("link", name="儿童档案").click()
    expect(page).to_have_url(re.compile(r"/children/$"))
    expect(page.get_by_role("navigation", name="主菜单")).to_be_hidden()  # folded again
    current = page.locator("nav.menu [aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("儿童档案")
    assert _box(page.locator("main h1"))["y"] <= 140
    assert_fits_viewport(page)


@pytest.mark.browser
def test_the_skip_link_leads_to_the_content(phone, live_server, users):
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "director", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    page.wait_for_load_state("load")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


@pytest.mark.browser
def test_a_computed_run_reaches_the_second_officer_who_approves_it(phone, live_server, users, tree):
    from playwright.sync_api import expect

    UserFactory(username="bureau2", role=Role.BUREAU, division=tree["district"], password=PASSWORD)
    run = PayrollRunFactory(computed=True, created_by=users["bureau"])

    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, "bureau2", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    waiting = page.get_by_text("待审批发放批次 1")
    expect(waiting).to_be_visible()
    waiting.click()
    expect(page).to_have_url(f"{live_server.url}/inbox/")
    section = page.locator("section#payroll")
    expect(section).to_contain_text(run.programme.name)
    expect(section).to_contain_text("已等待")
    section.get_by_role("link", name=re.compile(run.programme.name)).click()
    expect(page).to_have_url(f"{live_server.url}/benefits/runs/{run.pk}/")
    page.locator("#steps").get_by_role("link", name="审批").click()
    page.get_by_role("button", name=re.compile("^确认")).click()
    expect(page).to_have_url(f"{live_server.url}/benefits/runs/{run.pk}/")
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert run.approved_by.username == "bureau2"

    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("待审批发放批次")).to_have_count(0)
