"""Payroll runs started at the same moment from several connections (PostgreSQL): whatever the
interleaving, each child and month is paid exactly once, and every loser is told why.

Threads, each with its own database connection (Django's connections are per thread), wait at a
barrier and then go together. So that the transactions really overlap (a few hundred lines are
inserted in milliseconds, less than the threads' start-up skew), a thread may hold its
transaction open for a moment after a chosen INSERT ("overlapping"): the others then run into
its uncommitted rows or its locks and must wait for it. The outcomes are checked in the database
afterwards.

Note: run_compute's ``select_for_update()`` on the run also locks the programme's row (the
model's ordering joins benefits_programme), so two computations of one programme take turns and
the later one finds nothing left to pay. The last test therefore calls the INSERT ... SELECT
itself, without that lock, to show that the database's unique index alone refuses a double
payment.
"""

from __future__ import annotations

import importlib
import threading
import time
from contextlib import nullcontext
from datetime import date

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from huhang.benefits.models import (
    Calendar,
    Entitlement,
    Payee,
    PayrollLine,
    PayrollRun,
    Programme,
)
from huhang.benefits.payroll import compute
from huhang.benefits.payroll import selectors as payroll_selectors
from huhang.benefits.payroll import services as payroll
from huhang.core import crypto
from huhang.core.exceptions import DomainError, InvalidTransition
from tests.factories.registry import ChildFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent payroll runs need PostgreSQL (SQLite serialises all writers); "
        "run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 4
CHILDREN = 300
MONTH = date(2026, 3, 1)
# The `standards` fixture: 1,300.00 a month from 2026-01; entitled from 2026-01 to March.
MONTHS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
AMOUNT = 130000
EXPECTED_TOTAL = CHILDREN * len(MONTHS) * AMOUNT
HOLD_SECONDS = 0.5
RUN_INSERT = 'INSERT INTO "benefits_payrollrun"'
LINES_INSERT = "INSERT INTO benefits_payrollline"


def _migration_rows() -> None:
    """Put back the rows benefits' migration 0002 makes (the programmes and the month calendar)
    when a transactional test's flush (TRUNCATE) has removed them."""
    if Programme.objects.exists() and Calendar.objects.exists():
        return
    migration = importlib.import_module("huhang.benefits.migrations.0002_calendar_and_invariants")
    migration.programmes(apps, None)
    if not Calendar.objects.exists():
        migration.calendar(apps, None)


@pytest.fixture(scope="module", autouse=True)
def _leave_migration_rows(django_db_blocker):
    """After the module's last flush, leave the test database as migrated, so that a later
    session reusing it (--reuse-db) still finds the programmes and the calendar."""
    yield
    with django_db_blocker.unblock():
        _migration_rows()


@pytest.fixture(autouse=True)
def _migrated(transactional_db):
    _migration_rows()


@pytest.fixture
def many_entitled(tree, users, standards):
    """CHILDREN children entitled to orphan-home from 2026-01, each with a payee: enough lines
    that the concurrent computations overlap in the database."""
    kids = ChildFactory.create_batch(CHILDREN, division=tree["c1"])
    Payee.objects.bulk_create(
        Payee(
            child=child,
            name=f"监护人{n}",
            relation="祖母",
            bank="中国工商银行包头分行",
            account_cipher=crypto.encrypt(f"62220202{n:011d}"),
            account_last4=f"{n:011d}"[-4:],
            valid_from=date(2025, 12, 1),
            # Confirmed by a second officer (four eyes): runs pay only confirmed accounts.
            confirmed_by=users["bureau"],
            confirmed_at=timezone.now(),
        )
        for n, child in enumerate(kids)
    )
    Entitlement.objects.bulk_create(
        Entitlement(child=child, programme=standards, starts_on=MONTHS[0]) for child in kids
    )
    return kids


def holding_after(fragment: str):
    """An execute wrapper that keeps the transaction open a moment after a statement
    containing ``fragment`` (before the commit), so that the other threads catch up with it."""

    def hold(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if fragment in sql:
            time.sleep(HOLD_SECONDS)
        return result

    return hold


def race(work, n: int = THREADS, hold: str | None = None) -> list:
    """Run ``work(i, barrier)`` in n threads; returns each one's result or exception."""
    barrier = threading.Barrier(n, timeout=30)
    outcomes: list = [None] * n

    def main(i: int) -> None:
        try:
            wrapper = connection.execute_wrapper(holding_after(hold)) if hold else nullcontext()
            with wrapper:
                outcomes[i] = work(i, barrier)
        except BaseException as exc:  # reported by the test, whatever it is
            outcomes[i] = exc
        finally:
            connections.close_all()  # this thread's connections

    threads = [threading.Thread(target=main, args=(i,), name=f"payroll-{i}") for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a payroll thread hung (deadlock?)"
    return outcomes


def assert_paid_exactly_once(children) -> None:
    lines = PayrollLine.objects.exclude(status="failed")
    per_month = lines.values("child", "for_month").annotate(n=Count("pk"))
    assert {row["n"] for row in per_month} == {1}
    assert per_month.count() == len(children) * len(MONTHS)
    assert set(lines.values_list("for_month", flat=True)) == set(MONTHS)
    assert lines.aggregate(total=Sum("amount_fen"))["total"] == EXPECTED_TOTAL
    for run in PayrollRun.objects.exclude(status="draft"):
        assert payroll_selectors.run_totals_agree(run)


def unexpected(outcomes) -> list:
    return [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, DomainError)]


@pytest.mark.parametrize("hold", [None, RUN_INSERT], ids=["free", "overlapping"])
def test_regular_runs_started_at_once_make_one_set_of_lines(users, home, many_entitled, hold):
    bureau = users["bureau"]

    def work(i, barrier):
        barrier.wait()
        run = payroll.run_create(by=bureau, programme=home, month=MONTH)
        payroll.run_compute(by=bureau, run=run, today=MONTH)
        return run.pk

    outcomes = race(work, hold=hold)
    assert unexpected(outcomes) == []
    winners = [o for o in outcomes if isinstance(o, int)]
    losers = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(winners) == 1 and len(losers) == THREADS - 1
    assert all("已存在" in exc.message for exc in losers), [e.message for e in losers]
    run = PayrollRun.objects.get()
    assert (run.pk, run.status, run.supplementary) == (winners[0], "computed", False)
    assert run.line_count == CHILDREN * len(MONTHS) and run.total_fen == EXPECTED_TOTAL
    assert_paid_exactly_once(many_entitled)


@pytest.mark.parametrize("hold", [None, LINES_INSERT], ids=["free", "overlapping"])
def test_supplementary_runs_computed_at_once_pay_each_month_once(users, home, many_entitled, hold):
    """Supplementary runs may coexist; computed at the same moment, one pays everything and
    each of the others is refused (its computation rolled back) or finds nothing to pay."""
    bureau = users["bureau"]

    def work(i, barrier):
        run = payroll.run_create(by=bureau, programme=home, month=MONTH, supplementary=True)
        barrier.wait()
        payroll.run_compute(by=bureau, run=run, today=MONTH)
        return run.pk

    outcomes = race(work, hold=hold)
    assert unexpected(outcomes) == []
    assert PayrollRun.objects.count() == THREADS
    paying = PayrollRun.objects.filter(line_count__gt=0)
    assert paying.count() == 1
    assert paying.get().total_fen == EXPECTED_TOTAL and paying.get().status == "computed"
    for outcome in outcomes:
        if isinstance(outcome, DomainError):
            assert "另一批次" in outcome.message, outcome.message
        else:
            run = PayrollRun.objects.get(pk=outcome)
            assert run.status == "computed"
            assert run.line_count == 0 or run.pk == paying.get().pk
    # A refused computation left its run a draft, with no lines, to be computed again later.
    for run in PayrollRun.objects.filter(status="draft"):
        assert not run.lines.exists()
    assert_paid_exactly_once(many_entitled)


def test_one_draft_computed_from_several_windows_at_once(users, home, many_entitled):
    """Two clicks on "compute" (or two officers): the run's row lock makes the others wait and
    then refuses them; the lines are there once."""
    bureau = users["bureau"]
    draft = payroll.run_create(by=bureau, programme=home, month=MONTH)

    def work(i, barrier):
        run = PayrollRun.objects.get(pk=draft.pk)
        barrier.wait()
        payroll.run_compute(by=bureau, run=run, today=MONTH)
        return run.pk

    outcomes = race(work)
    assert unexpected(outcomes) == []
    assert sum(1 for o in outcomes if o == draft.pk) == 1
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == THREADS - 1
    assert all(isinstance(exc, InvalidTransition) for exc in refused)
    draft.refresh_from_db()
    assert draft.status == "computed" and draft.total_fen == EXPECTED_TOTAL
    assert_paid_exactly_once(many_entitled)


@pytest.mark.parametrize("hold", [None, LINES_INSERT], ids=["free", "overlapping"])
def test_regular_and_supplementary_runs_at_once_pay_each_month_once(
    users, home, many_entitled, hold
):
    """Mixed: one thread starts the regular run while the others start supplementary runs."""
    bureau = users["bureau"]

    def work(i, barrier):
        barrier.wait()
        run = payroll.run_create(by=bureau, programme=home, month=MONTH, supplementary=i > 0)
        payroll.run_compute(by=bureau, run=run, today=MONTH)
        return run.pk

    outcomes = race(work, hold=hold)
    assert unexpected(outcomes) == []
    assert PayrollRun.objects.filter(supplementary=False).count() == 1
    assert PayrollRun.objects.filter(line_count__gt=0).count() == 1
    assert_paid_exactly_once(many_entitled)


def test_the_unique_index_alone_refuses_a_second_payment(users, home, many_entitled):
    """Two computations that overlap in time, without any lock of the application's: both
    insert the same lines; the second waits for the first's uncommitted rows and, once they
    are committed, fails on the index `line_paid_at_most_once` and inserts nothing."""
    bureau = users["bureau"]
    runs = [
        payroll.run_create(by=bureau, programme=home, month=MONTH, supplementary=True)
        for _ in range(2)
    ]

    def work(i, barrier):
        barrier.wait()
        with transaction.atomic():
            return compute.insert_lines(
                run_id=runs[i].pk,
                programme=home.pk,
                month=MONTH,
                horizon=date(2025, 1, 1),
                today=MONTH,
                yearly=False,
            )

    outcomes = race(work, n=2, hold=LINES_INSERT)
    inserted = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert inserted == [CHILDREN * len(MONTHS)]
    assert len(refused) == 1 and isinstance(refused[0], IntegrityError)
    assert "line_paid_at_most_once" in str(refused[0])
    assert_paid_exactly_once(many_entitled)
