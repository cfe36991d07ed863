"""Two bureau officers approve the same lead at the same moment (PostgreSQL, one connection per
thread): exactly one approval happens, one category is created, the other officer is told why."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from huhang.core.exceptions import InvalidTransition
from huhang.registry.models import CategoryAssignment
from huhang.screening.leads import services
from huhang.screening.models import Lead
from tests.factories.screening import LeadFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent approvals need PostgreSQL (SQLite serialises all writers); "
        "run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 4


def test_concurrent_approvals_approve_once(users, children, tree):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"], reviewed=True)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def approve():
        try:
            mine = Lead.objects.get(pk=lead.pk)  # each officer opened the page
            barrier.wait()
            services.lead_approve(by=users["bureau"], lead=mine)
            outcomes.append("approved")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved"] + ["refused"] * (THREADS - 1)
    assert CategoryAssignment.objects.filter(child=children["xiaohai"]).count() == 1
    assert Lead.objects.get(pk=lead.pk).status == "approved"
