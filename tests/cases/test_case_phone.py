"""On a phone at 360 px: a child director opens a case, assesses it as high risk and sees it in
red; every page fits the screen."""

from __future__ import annotations

import re

import pytest

from huhang.cases.models import Alert, Case
from tests.conftest import PASSWORD
from tests.e2e.conftest import browser, phone  # noqa: F401  (fixtures of the browser tests)
from tests.e2e.test_browser import assert_fits_viewport, log_in


@pytest.mark.browser
def test_director_opens_and_assesses_a_case_on_a_phone(phone, live_server, users, children):  # noqa: F811
    from playwright.sync_api import expect

    page = phone
    child = children["xiaohai"]
    page.goto(f"{live_server.url}/cases/new/?child={child.pk}")
    log_in(page, "director", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("王小海")
    assert_fits_viewport(page)
    page.get_by_label("来源", exact=True).select_option("family")
    page.get_by_label("基本情况").fill("父亲去世，随母亲搬入30平方米旧房，孩子变得孤僻。")
    page.get_by_role("button", name="保存").click()

    case = Case.objects.get(child=child)
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#summary")).to_contain_text("已立案")
    assert_fits_viewport(page)

    page.get_by_role("link", name="评估", exact=True).click()
    expect(page.locator("main")).to_contain_text("任一领域为 3 分：高风险")
    assert_fits_viewport(page)
    page.get_by_label("心理与行为", exact=True).select_option("3")
    page.get_by_label("心理与行为情况说明").fill("沉默寡言，不愿上学")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator("#summary .risk-high")).to_have_text(re.compile("高"))
    color = page.locator("#summary .risk-high").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(185, 28, 28)"
    expect(page.locator("#assessments")).to_contain_text("沉默寡言，不愿上学")
    assert Alert.objects.filter(case=case).count() == 1
    assert_fits_viewport(page)
