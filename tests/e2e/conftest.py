"""Fixtures for the end-to-end tests: Debian's chromium driven by Playwright's sync API.

Playwright cannot download its own browser here, so the tests use /usr/bin/chromium and skip
(with the reason) when it or the playwright package is missing.

Playwright's sync API keeps an asyncio loop *running* in the test thread for as long as it is
started, and Django refuses ORM calls while a loop runs (SynchronousOnlyOperation). So the
browser lives for one module only, and DJANGO_ALLOW_ASYNC_UNSAFE is set exactly while it does:
a session-wide browser would break every database test that runs after these ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}
# Playwright waits up to this long (ms) for an element or a navigation before failing.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser(django_db_setup) -> Iterator:
    """A headless chromium for the tests of one module (the test database exists before the
    Playwright loop starts, and the loop is gone before the next module's tests run)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        pytest.skip(f"the playwright package is not importable ({exc})")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"chromium is absent at {CHROMIUM} (apt-get install chromium)")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


def phone_page(browser, *, service_workers: str = "block") -> Iterator:
    """A fresh page in a 360 × 740 touch-screen phone context, in Chinese. The app's service
    worker is blocked unless asked for: its background fetches of the offline pages would race
    the test's own requests on the live server's single SQLite connection."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        device_scale_factor=2,
        service_workers=service_workers,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone(browser) -> Iterator:
    """A phone page without the service worker (see `phone_page`)."""
    yield from phone_page(browser)
