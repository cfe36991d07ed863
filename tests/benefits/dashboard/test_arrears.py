"""The arrears list: each entitled month not paid in full, with its reason — suspended (with the
suspension's reason), bank failure (with the bank's), no payee, in a run not yet exported,
a difference still to pay after a back-dated standard, not yet run."""

from __future__ import annotations

from datetime import date, datetime

import time_machine

from huhang.benefits import services
from huhang.benefits.dashboard import selectors as dashboard
from huhang.benefits.models import Entitlement, Programme
from huhang.benefits.payroll import services as payroll
from tests.benefits.dashboard.conftest import APRIL, CST, MARCH
from tests.factories.benefits import EntitlementFactory

END_OF_MARCH = date(2026, 3, 31)


def reasons(user, month=MARCH, today=END_OF_MARCH) -> dict[str, tuple[str, str]]:
    board = dashboard.dashboard(user=user, month=month, today=today)
    return {row.name: (row.reason, row.detail) for row in board.arrears[0 : len(board.arrears)]}


def test_march_arrears_and_their_reasons(users, district):
    assert reasons(users["bureau"]) == {
        "陈晨": ("bank_failure", "账户已冻结"),
        "刘洋": ("no_payee", "请登记收款人及银行账号"),
        "赵敏": ("suspended", "监护情况核查中"),
    }


def test_arrears_rows_carry_amounts_and_places(users, district):
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=END_OF_MARCH)
    row = next(r for r in board.arrears[0:10] if r.name == "陈晨")
    assert (row.standard_yuan, row.paid_yuan, row.owed_yuan) == ("1,300.00", "0.00", "1,300.00")
    assert (row.street, row.community) == ("友谊大街街道", "友谊一社区")
    assert row.programme == "孤儿基本生活费（社会散居）" and row.reason_label == "银行退票"
    assert "*" in row.id_masked


def test_a_month_not_yet_run(users, district):
    assert reasons(users["bureau"], APRIL, date(2026, 4, 5)) == {
        "王小海": ("not_run", "本月发放批次尚未计算或导出"),
        "李梅": ("not_run", "本月发放批次尚未计算或导出"),
        "张伟": ("not_run", "本月发放批次尚未计算或导出"),
        "陈晨": ("not_run", "本月发放批次尚未计算或导出"),
        "刘洋": ("no_payee", "请登记收款人及银行账号"),
        "赵敏": ("suspended", "监护情况核查中"),
    }


def test_a_run_computed_but_not_exported(users, district):
    home = Programme.objects.get(code="orphan-home")
    run = payroll.run_create(by=users["bureau"], programme=home, month=APRIL)
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 4, 2))
    found = reasons(users["bureau"], APRIL, date(2026, 4, 5))
    assert found["王小海"] == ("in_run", f"批次 #{run.pk}（已计算）")
    # The March failure is paid again in April's run: not exported yet, so still owed.
    assert reasons(users["bureau"])["陈晨"] == ("in_run", f"批次 #{run.pk}（已计算）")


def test_a_back_dated_raise_leaves_a_difference_to_pay(users, district):
    home = Programme.objects.get(code="orphan-home")
    services.standard_set(
        by=users["bureau"], programme=home, effective_from=MARCH, amount_fen=135000
    )
    found = reasons(users["bureau"])
    assert found["王小海"] == ("shortfall", "差额 50.00 元（标准调整后待补发）")
    assert found["张伟"][0] == "shortfall"
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=END_OF_MARCH)
    assert board.total.in_full == 1  # only 李梅 (dfuc) is still paid in full


def test_a_failed_line_paid_again_later_is_in_full_but_not_on_time(users, bureau2, district):
    home = Programme.objects.get(code="orphan-home")
    run = payroll.run_create(by=users["bureau"], programme=home, month=MARCH, supplementary=True)
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 20))
    assert run.line_count == 1  # 陈晨's March, again
    payroll.run_approve(by=bureau2, run=run)
    with time_machine.travel(datetime(2026, 3, 21, 9, 0, tzinfo=CST), tick=False):
        payroll.run_mark_exported(by=users["bureau"], run=run, fmt="csv")
    assert "陈晨" not in reasons(users["bureau"])
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=END_OF_MARCH)
    street = board.streets[0]
    assert (street.entitled, street.on_time, street.in_full, street.on_time_in_full) == (5, 1, 3, 1)


def test_resumed_months_are_owed_again(users, district):
    services.resume(
        by=users["bureau"],
        entitlement=district["entitlements"]["赵敏"],
        from_month=APRIL,
        reason="核查完毕",
    )
    assert reasons(users["bureau"])["赵敏"] == ("suspended", "监护情况核查中")  # March stays
    assert reasons(users["bureau"], APRIL, date(2026, 4, 5))["赵敏"][0] == "not_run"


def test_an_ended_entitlement_owes_nothing_after_its_end(users, district, tree):
    Entitlement.objects.filter(pk=district["entitlements"]["刘洋"].pk).update(
        starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 1)
    )
    assert "刘洋" not in reasons(users["bureau"])
    assert reasons(users["bureau"], date(2026, 2, 1), END_OF_MARCH)["刘洋"][0] == "no_payee"


def test_a_programme_without_a_standard_owes_nothing(users, district, children):
    EntitlementFactory(
        child=children["xiaohai"], programme_id="autumn-aid", starts_on=MARCH, ends_on=MARCH
    )
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=END_OF_MARCH)
    assert board.total.entitled == 6


def test_a_yearly_programme_is_owed_in_september_only(users, district, children):
    scholarship = Programme.objects.get(code="scholarship")
    services.standard_set(
        by=users["bureau"],
        programme=scholarship,
        effective_from=date(2025, 9, 1),
        amount_fen=1000000,
    )
    EntitlementFactory(child=children["xiaohai"], programme=scholarship, starts_on=date(2025, 9, 1))
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=END_OF_MARCH)
    assert board.total.entitled == 6  # no scholarship owed in March
    september = dashboard.dashboard(user=users["bureau"], month=date(2026, 9, 1))
    rows = september.arrears[0:20]
    assert any(r.name == "王小海" and r.standard_yuan == "10,000.00" for r in rows)


def test_a_child_owed_two_programmes_counts_once_and_only_if_both_are_paid(
    users, district, children
):
    dfuc = Programme.objects.get(code="dfuc")
    # 王小海 paid on time under orphan-home, but also owed dfuc for March (not paid).
    EntitlementFactory(child=children["xiaohai"], programme=dfuc, starts_on=MARCH)
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=END_OF_MARCH)
    street = board.streets[0]
    assert (street.entitled, street.on_time_in_full, street.arrears) == (5, 0, 4)
