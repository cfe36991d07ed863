"""停发 and 恢复 as services: a resumption is one conditional UPDATE of the open suspension, so
that of two officers resuming the same suspension from two pages, only one is written."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from huhang.benefits import services
from huhang.benefits.models import Suspension
from huhang.core.exceptions import InvalidTransition


@pytest.fixture
def suspended(users, entitled):
    entitlement = entitled[0]
    services.suspend(
        by=users["bureau"], entitlement=entitlement, from_month=date(2026, 2, 1), reason="核查"
    )
    return entitlement


def test_resume_closes_the_suspension_before_its_month(users, suspended):
    suspension = services.resume(
        by=users["bureau"], entitlement=suspended, from_month=date(2026, 4, 1), reason="已核实"
    )
    assert (suspension.to_month, suspension.resume_reason) == (date(2026, 3, 1), "已核实")


def test_a_suspension_resumed_meanwhile_is_not_resumed_again(users, bureau2, suspended):
    # The other officer's resumption commits between this call's reading of the open suspension
    # and its write; this call must be refused instead of writing its month and reason over
    # the other's (it used to update the row by its key alone, whatever its state).
    other = (
        "UPDATE benefits_suspension SET to_month = %s, resume_reason = %s, resumed_by_id = %s"
        " WHERE entitlement_id = %s"
    )

    def resumed_meanwhile(execute, sql, params, many, context):
        if sql.startswith('UPDATE "benefits_suspension"'):
            execute(other, [date(2026, 2, 1), "先恢复", bureau2.pk, suspended.pk], False, context)
        return execute(sql, params, many, context)

    before = Suspension.objects.values().get()
    with connection.execute_wrapper(resumed_meanwhile), pytest.raises(InvalidTransition):
        services.resume(
            by=users["bureau"], entitlement=suspended, from_month=date(2026, 5, 1), reason="迟到"
        )
    # The refused call wrote nothing (its transaction took the simulated write back as well).
    assert Suspension.objects.values().get() == before


def test_resuming_twice_is_refused(users, suspended):
    services.resume(
        by=users["bureau"], entitlement=suspended, from_month=date(2026, 4, 1), reason="已核实"
    )
    with pytest.raises(InvalidTransition, match="该资格未停发"):
        services.resume(
            by=users["bureau"], entitlement=suspended, from_month=date(2026, 5, 1), reason="再次"
        )
    assert Suspension.objects.get().to_month == date(2026, 3, 1)
