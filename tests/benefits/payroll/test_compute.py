"""The payroll computation: months paid once, back-dated standards pay exact differences, failed
lines are paid again, suspensions skip months; on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from huhang.benefits import services
from huhang.benefits.models import PayrollLine, PayrollRun
from huhang.benefits.payroll import services as payroll
from huhang.core.exceptions import DomainError, NotAllowed
from tests.factories.benefits import PayrollLineFactory, PayrollRunFactory


def run_month(by, programme, month, approver=None, supplementary=False):
    """A run of the month computed as on its first day (and approved, given an approver)."""
    step = {"approved": True, "approver": approver} if approver else {"computed": True}
    return PayrollRunFactory(
        created_by=by, programme=programme, month=month, supplementary=supplementary, **step
    )


def paid(child, month):
    return sum(
        PayrollLine.objects.filter(child=child, for_month=month)
        .exclude(status="failed")
        .values_list("amount_fen", flat=True)
    )


def test_first_run_pays_every_month_since_the_start(users, entitled, standards, children):
    run = run_month(users["bureau"], standards, date(2026, 3, 1))
    # Jan, Feb, Mar 2026 at 1,300.00 for two children.
    assert run.line_count == 6
    assert run.total_fen == 6 * 130000
    assert paid(children["xiaohai"], date(2026, 2, 1)) == 130000


def test_a_repeated_run_pays_nothing_twice(users, entitled, standards):
    run_month(users["bureau"], standards, date(2026, 3, 1))
    again = run_month(users["bureau"], standards, date(2026, 3, 1), supplementary=True)
    assert again.line_count == 0 and again.total_fen == 0


def test_back_dated_standard_pays_the_exact_difference(
    users, bureau2, entitled, standards, children
):
    run_month(users["bureau"], standards, date(2026, 2, 1), approver=bureau2)
    # In March the bureau raises the standard to 1,350.50 back-dated to February.
    services.standard_set(
        by=users["bureau"], programme=standards, effective_from=date(2026, 2, 1), amount_fen=135050
    )
    march = run_month(users["bureau"], standards, date(2026, 3, 1))
    lines = {(line.child_id, line.for_month): line.amount_fen for line in march.lines.all()}
    child = children["xiaohai"].pk
    assert date(2026, 1, 1) not in {m for _c, m in lines}  # January unchanged: nothing more
    assert lines[(child, date(2026, 2, 1))] == 135050 - 130000  # 补发 50.50
    assert lines[(child, date(2026, 3, 1))] == 135050
    assert paid(children["xiaohai"], date(2026, 2, 1)) == 135050


def test_lowered_standard_is_not_clawed_back(users, entitled, standards):
    run_month(users["bureau"], standards, date(2026, 2, 1))
    services.standard_set(
        by=users["bureau"], programme=standards, effective_from=date(2026, 2, 1), amount_fen=100000
    )
    march = run_month(users["bureau"], standards, date(2026, 3, 1))
    assert {line.for_month for line in march.lines.all()} == {date(2026, 3, 1)}
    assert all(line.amount_fen == 100000 for line in march.lines.all())


def test_suspended_months_are_skipped_and_resumption_pays_on(users, entitled, standards, children):
    entitlement = entitled[0]
    services.suspend(
        by=users["bureau"],
        entitlement=entitlement,
        from_month=date(2026, 2, 1),
        reason="监护人失联待核实",
    )
    run = run_month(users["bureau"], standards, date(2026, 3, 1))
    assert {line.for_month for line in run.lines.filter(child=children["xiaohai"])} == {
        date(2026, 1, 1)
    }
    services.resume(
        by=users["bureau"], entitlement=entitlement, from_month=date(2026, 4, 1), reason="已核实"
    )
    april = run_month(users["bureau"], standards, date(2026, 4, 1))
    assert {line.for_month for line in april.lines.filter(child=children["xiaohai"])} == {
        date(2026, 4, 1)
    }


def test_two_regular_runs_for_one_month_are_refused(users, standards):
    payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    with pytest.raises(DomainError):
        payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    assert PayrollRun.objects.count() == 1


def test_the_computer_cannot_approve(users, bureau2, entitled, standards):
    run = run_month(users["bureau"], standards, date(2026, 3, 1))
    with pytest.raises(NotAllowed):
        payroll.run_approve(by=users["bureau"], run=run)
    payroll.run_approve(by=bureau2, run=run)
    assert run.status == "approved" and run.approved_by == bureau2


def test_database_refuses_self_approval_too(users, entitled, standards):
    run = run_month(users["bureau"], standards, date(2026, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollRun.objects.filter(pk=run.pk).update(status="approved", approved_by=users["bureau"])


def test_database_refuses_a_second_payment_of_the_same_month(users, entitled, standards):
    run = run_month(users["bureau"], standards, date(2026, 1, 1))
    line = run.lines.first()
    other = payroll.run_create(
        by=users["bureau"], programme=standards, month=date(2026, 1, 1), supplementary=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLineFactory(
            run=other,
            seq=1,
            child=line.child,
            for_month=line.for_month,
            standard=line.standard,
            amount_fen=line.amount_fen,
        )


def test_approved_lines_are_frozen_in_the_database(users, bureau2, entitled, standards):
    run = run_month(users["bureau"], standards, date(2026, 1, 1), approver=bureau2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.filter(run=run).update(amount_fen=1)
    # The bank's result may still be written.
    PayrollLine.objects.filter(run=run).update(status="paid")
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollRun.objects.filter(pk=run.pk).update(total_fen=1)


def test_a_crashed_compute_leaves_nothing_and_a_rerun_pays_once(users, entitled, standards):
    from django.db import OperationalError, connection

    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))

    def power_cut(execute, sql, params, many, context):
        # The database goes away after the lines are inserted, before the run is marked.
        if sql.lstrip().upper().startswith("UPDATE") and "benefits_payrollrun" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(power_cut), pytest.raises(OperationalError):
        payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    assert not PayrollLine.objects.exists()
    run.refresh_from_db()
    assert run.status == "draft"
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    assert run.line_count == 6 and PayrollLine.objects.count() == 6


def test_database_refuses_lines_added_to_a_computed_run(users, entitled, standards):
    run = run_month(users["bureau"], standards, date(2026, 1, 1))
    line = run.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLineFactory(
            run=run,
            seq=999,
            child=line.child,
            for_month=date(2026, 2, 1),
            standard=line.standard,
            amount_fen=1,
        )
    assert run.lines.count() == run.line_count


def test_database_refuses_a_line_of_another_programme(users, children, standards):
    run = PayrollRunFactory(created_by=users["bureau"], programme=standards, month=date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLineFactory(
            run=run,
            seq=1,
            child=children["xiaohai"],
            programme_id="dfuc",
            for_month=date(2026, 1, 1),
            standard=standards.standards.first(),
            amount_fen=1,
        )


def test_triggers_survive_the_table_rebuild(users, bureau2, entitled, standards):
    # Migration 0005 rebuilds the lines table on SQLite; the frozen-lines trigger must still be there.
    run = run_month(users["bureau"], standards, date(2026, 1, 1), approver=bureau2)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollLine.objects.filter(run=run).update(amount_fen=1)
