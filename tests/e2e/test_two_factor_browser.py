"""Two-factor login in a real browser: a bureau officer enrols an authenticator (QR code and
secret), logs in with a code, then with a recovery code; the security administrator resets it
and the officer must enrol again. No page on the way breaks the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest

from huhang.core.roles import Role
from tests.conftest import PASSWORD
from tests.e2e.actions import log_out
from tests.e2e.test_browser import log_in
from tests.factories import UserFactory
from tests.security.otp import code_for


@pytest.mark.browser
def test_enrol_log_in_with_a_code_and_a_recovery_code_then_reset(
    phone, live_server, settings, tree, users
):
    from playwright.sync_api import expect

    settings.HUHANG_2FA_REQUIRED = True
    settings.HUHANG_2FA_ROLES = ["bureau"]
    UserFactory(
        username="secadmin", role=Role.SECURITY_ADMIN, division=tree["district"], password=PASSWORD
    )
    page, url = phone, live_server.url
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )

    # Enrolment: the password leads to the authenticator's QR code and secret.
    page.goto(f"{url}/children/")
    log_in(page, "bureau", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/"))
    expect(page.locator(".otp-qr svg")).to_be_visible()
    secret = page.locator("#otp-secret").inner_text()
    page.get_by_label("验证码").fill(code_for(secret))
    page.get_by_role("button", name="绑定").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page).to_have_url(f"{url}/children/")

    # Next login: password, then the code of the next time step.
    log_out(page)
    log_in(page, "bureau", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
    page.get_by_label("验证码").fill(code_for(secret, ahead=1))
    page.get_by_role("button", name="验证").click()
    expect(page.locator("main h1").first).not_to_have_text("两步验证")

    # Without the phone: a recovery code, once.
    log_out(page)
    log_in(page, "bureau", PASSWORD)
    page.get_by_label("验证码").fill(codes[0])
    page.get_by_role("button", name="验证").click()
    expect(page.locator(".messages")).to_contain_text("还剩 9 个")

    # The phone is lost: the security administrator resets the authenticator.
    log_out(page)
    log_in(page, "secadmin", PASSWORD)
    page.goto(f"{url}/accounts/2fa/reset/")
    row = page.locator("tr", has_text="bureau")
    row.get_by_role("button", name="重置").click()
    expect(page.locator(".messages")).to_contain_text("已重置")
    log_out(page)

    # The officer must enrol again before anything else.
    log_in(page, "bureau", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/"))
    assert not violations, violations


@pytest.mark.browser
def test_pages_keep_to_the_content_security_policy(phone, live_server, users, children):
    """Lists with live search, an archive, the dashboards, the API docs (Swagger UI from local
    files) and the admin: nothing is refused by the policy."""
    from playwright.sync_api import expect

    page, url = phone, live_server.url
    violations: list[str] = []
    page.on(
        "console",
        lambda m: (
            violations.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    page.goto(f"{url}/accounts/login/")
    log_in(page, "bureau", PASSWORD)
    child = children["xiaohai"]
    for path in (
        "/children/",
        f"/children/{child.pk}/",
        f"/children/{child.pk}/edit/",
        "/reports/",
    ):
        page.goto(f"{url}{path}")
        expect(page.locator("main")).to_be_visible()
    page.goto(f"{url}/children/")
    page.get_by_role("searchbox").first.fill("xh")
    expect(page.locator("#results").last).to_contain_text("王小海")
    page.goto(f"{url}/api/docs")
    expect(page.locator(".swagger-ui").first).to_be_visible()
    assert not violations, "\n".join(violations)
