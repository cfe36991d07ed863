"""Who may read which figures: reports.view or 403; a division outside the scope is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

DASHBOARD = reverse("reports:dashboard")
REPORT = reverse("reports:half_year")
XLSX = reverse("reports:half_year_xlsx")
PAGES = (DASHBOARD, REPORT, XLSX)


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["socialworker", "partner", "dataofficer"])
def test_roles_without_reports_view_get_403(users, login, role, url):
    assert login(users[role]).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["bureau", "supervisor", "director", "director2", "auditor"])
def test_roles_with_reports_view_get_their_own_division(users, login, role, url):
    response = login(users[role]).get(url, {"period": "2026H1"})
    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("role", "division"),
    [
        ("director", "150203005002"),  # the neighbouring community
        ("director2", "150203"),  # its own district: an ancestor is outside the subtree
        ("supervisor", "150203100201"),  # a village of another town
        ("supervisor", "150203"),
        ("bureau", "999999"),  # does not exist
        ("bureau", "15020300100"),  # malformed
    ],
)
def test_division_outside_the_scope_is_404(users, login, role, division, url):
    response = login(users[role]).get(url, {"division": division, "period": "2026H1"})
    assert response.status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_inside_the_scope_is_allowed(users, login, tree, url):
    response = login(users["supervisor"]).get(
        url, {"division": tree["c2"].code, "period": "2026H1"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_login(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_post_is_405(users, login, url):
    assert login(users["bureau"]).post(url).status_code == 405


def test_bad_period_on_export_is_400_and_not_audited(users, login):
    from huhang.core.models import AuditEvent

    response = login(users["bureau"]).get(XLSX, {"period": "1999H1"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(object_type="half_year_report").exists()
