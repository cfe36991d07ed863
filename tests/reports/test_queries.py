"""Query counts of the dashboard and the report are fixed: they do not grow with the data.

Each page: session and user (2), the division with its ancestors (1), the division choices (1),
the figures (dashboard 14, report 14; one fewer for a community, which has no units below it to
name), one audit event (1), the header's division (1; not for the workbook), and the session's
save (savepoint, update, release: 3)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests.factories import ChildFactory, PersonFactory
from tests.reports.conftest import approve, at

DASHBOARD = reverse("reports:dashboard")
REPORT = reverse("reports:half_year")
XLSX = reverse("reports:half_year_xlsx")

# Each includes the audit event: 3 queries (lock the chain's head, insert, move the head).
COUNTS = {DASHBOARD: 25, REPORT: 25, XLSX: 24}


def _more(users, tree):
    """More children, categories and communities' rows: the counts must not move."""
    for n in range(6):
        child = ChildFactory(person=PersonFactory(years=5 + n), division=tree["c2"])
        approve(users, child, "dfuc" if n % 2 else "orphan", at(2026, 2, 1 + n, 10))


@pytest.mark.parametrize("role", ["bureau", "supervisor", "director", "auditor"])
@pytest.mark.parametrize("url", list(COUNTS))
def test_query_count_is_pinned(world, users, tree, client, django_assert_num_queries, role, url):
    expected = COUNTS[url] - (1 if role == "director" else 0)
    with time_machine.travel(at(2026, 8, 15, 10), tick=False):
        client.force_login(users[role])
        with django_assert_num_queries(expected):
            assert client.get(url, {"period": "2026H1"}).status_code == 200
        _more(users, tree)
        with django_assert_num_queries(expected):
            assert client.get(url, {"period": "2026H1"}).status_code == 200
