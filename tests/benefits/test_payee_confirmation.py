"""Four eyes on money (issue 12, part 2): a new or changed payee account is confirmed by a
second officer before any payroll run pays it; the run skips (and the arrears list flags) a
child whose current account waits for confirmation. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from huhang.benefits import services
from huhang.benefits.models import Payee, PayrollLine
from huhang.benefits.payroll import compute
from huhang.benefits.payroll import services as payroll
from huhang.core.exceptions import InvalidTransition, NotAllowed
from tests.factories.benefits import EntitlementFactory, PayeeFactory

MARCH = date(2026, 3, 1)


def _new_payee(by, child, account="6222020200009999999", valid_from=date(2025, 12, 1)):
    return services.payee_set(
        by=by,
        child=child,
        name="新监护人",
        relation="祖母",
        bank="中国农业银行包头分行",
        account=account,
        valid_from=valid_from,
    )


def _compute(by, programme, month, **kw):
    run = payroll.run_create(by=by, programme=programme, month=month, **kw)
    return payroll.run_compute(by=by, run=run, today=date(2026, 11, 16))


def test_a_run_does_not_pay_an_unconfirmed_account(users, bureau2, children, standards):
    """The issue's case: one officer adds a payee and runs the payroll — nothing is paid to
    that account until a second officer confirms it; then the next run pays the months owed."""
    child = children["xiaohai"]
    EntitlementFactory(child=child, programme=standards, starts_on=date(2026, 1, 1))
    payee = _new_payee(users["bureau"], child)
    assert payee.confirmed_at is None

    run = _compute(users["bureau"], standards, MARCH)
    assert run.line_count == 0
    owed = compute.unpayable(
        programme=standards.pk,
        month=MARCH,
        horizon=date(2023, 3, 1),
        today=date(2026, 11, 16),
        yearly=False,
    )
    assert [(c, m) for c, m, _f in owed] == [
        (child.pk, date(2026, 1, 1)),
        (child.pk, date(2026, 2, 1)),
        (child.pk, date(2026, 3, 1)),
    ]

    with pytest.raises(NotAllowed):  # the one who registered it cannot confirm it
        services.payee_confirm(by=users["bureau"], payee=payee)
    services.payee_confirm(by=bureau2, payee=payee)
    with pytest.raises(InvalidTransition):
        services.payee_confirm(by=bureau2, payee=payee)

    again = _compute(users["bureau"], standards, MARCH, supplementary=True)
    assert again.line_count == 3
    assert set(PayrollLine.objects.values_list("payee_account_last4", flat=True)) == {"9999"}


def test_a_changed_account_is_not_paid_until_confirmed(users, bureau2, children, standards):
    """A confirmed account replaced by a new one: the run pays neither until the new one is
    confirmed (the old account may be the one that was closed)."""
    child = children["xiaohai"]
    EntitlementFactory(child=child, programme=standards, starts_on=date(2026, 1, 1))
    PayeeFactory(child=child, valid_from=date(2025, 1, 1))  # confirmed by a second officer
    _new_payee(users["bureau"], child, valid_from=date(2026, 2, 1))
    run = _compute(users["bureau"], standards, MARCH)
    assert run.line_count == 0


def test_the_database_refuses_a_self_confirmed_account(users, children):
    with pytest.raises(IntegrityError), transaction.atomic():
        PayeeFactory(
            child=children["xiaohai"], created_by=users["bureau"], confirmed_by=users["bureau"]
        )
    payee = PayeeFactory(child=children["xiaohai"], created_by=users["bureau"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Payee.objects.filter(pk=payee.pk).update(confirmed_by=users["bureau"])


def test_the_payee_page_confirms_with_a_second_officer(users, bureau2, children, login):
    child = children["xiaohai"]
    payee = _new_payee(users["bureau"], child)
    page = login(users["bureau"]).get(reverse("benefits:payee", args=[child.pk]))
    text = page.content.decode()
    assert "待确认" in text and "须由登记人以外的另一名工作人员确认" in text
    url = reverse("benefits:payee_confirm", args=[child.pk, payee.pk])
    assert login(users["bureau"]).post(url).status_code == 403
    payee.refresh_from_db()
    assert payee.confirmed_at is None
    response = login(bureau2).post(url)
    assert response.status_code == 302
    payee.refresh_from_db()
    assert payee.confirmed_by == bureau2 and payee.confirmed_at is not None
    assert (
        "已确认" in login(bureau2).get(reverse("benefits:payee", args=[child.pk])).content.decode()
    )


def test_confirmation_is_out_of_reach_of_other_roles_and_scopes(users, children, login):
    payee = _new_payee(users["bureau"], children["xiaohai"])
    url = reverse("benefits:payee_confirm", args=[children["xiaohai"].pk, payee.pk])
    assert login(users["supervisor"]).post(url).status_code in (403, 404)
    other = reverse("benefits:payee_confirm", args=[children["c2"].pk, payee.pk])
    assert login(users["bureau"]).post(other).status_code == 404
