"""axe-core (shipped in the axe-playwright-python package, run offline) finds no serious or
critical violation on the twenty most used pages, on a 360 px phone and a 1,366 px desk.

The pages are those a director opens every day and those the bureau works in; the data is
the small world of tests/security/urlwalk.py around 王小海."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.e2e.conftest import PHONE, TIMEOUT_MS
from tests.e2e.test_browser import log_in
from tests.security.urlwalk import world

DESK = {"width": 1366, "height": 800}
SERIOUS = {"serious", "critical"}


def _pages(w) -> list[tuple[str, str]]:
    child, case, run, lead = w["child"].pk, w["case"].pk, w["run"].pk, w["lead"].pk
    director = [
        reverse("workbench:home"),
        reverse("registry:child_list"),
        reverse("workbench:child_detail", args=[child]),
        reverse("workbench:inbox"),
        reverse("cases:visit_list"),
        reverse("cases:visit_pick"),
        reverse("cases:visit_create") + f"?child={child}",
        reverse("screening:lead_list"),
        reverse("screening:lead_detail", args=[lead]),
    ]
    bureau = [
        reverse("cases:case_list"),
        reverse("cases:case_detail", args=[case]),
        reverse("cases:emergency_list"),
        reverse("benefits:programme_list"),
        reverse("benefits:run_list"),
        reverse("benefits:run_detail", args=[run]),
        reverse("benefits:dashboard"),
        reverse("reports:dashboard"),
        reverse("reports:half_year"),
        reverse("community:activity_list"),
        reverse("core:audit_list"),
    ]
    return [("director", p) for p in director] + [("bureau", p) for p in bureau]


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for v in results.response["violations"]:
        if v.get("impact") in SERIOUS:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
            found.append(f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at {targets}")
    return found


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_no_serious_accessibility_violation_on_the_most_used_pages(
    browser, live_server, viewport, tree, users, orgs, children
):
    pytest.importorskip("axe_playwright_python")
    pages = _pages(world(tree, users, orgs, children))
    assert len(pages) == 20
    found: list[str] = []
    for role in ("director", "bureau"):
        context = browser.new_context(viewport=viewport, locale="zh-CN", service_workers="block")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            found += _violations(page)  # the login page too, once per role
            log_in(page, role, PASSWORD)
            page.wait_for_url(f"{live_server.url}/")
            for who, path in pages:
                if who != role:
                    continue
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.ok, path
                found += _violations(page)
        finally:
            context.close()
    assert not found, "\n".join(found)
