"""The hand-counted district of the 按时足额 tests (March 2026), shared by the dashboard's and
the arrears' tests."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from huhang.benefits import services
from huhang.benefits.models import Programme
from huhang.benefits.payroll import services as payroll
from tests.factories.benefits import EntitlementFactory, PayeeFactory
from tests.factories.registry import ChildFactory, PersonFactory

CST = ZoneInfo("Asia/Shanghai")
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def payee(child, account):
    PayeeFactory(
        child=child,
        name=f"{child.person.name}的监护人",
        relation="祖母",
        account=account,
        valid_from=date(2026, 1, 1),
    )


def run_through(by, approver, programme, *, exported_at, results=None):
    """A March run computed, approved, exported at `exported_at` (Beijing time) and, when
    `results` is given (line id → failure reason or None), reconciled."""
    run = payroll.run_create(by=by, programme=programme, month=MARCH)
    payroll.run_compute(by=by, run=run, today=date(2026, 3, 2))
    payroll.run_approve(by=approver, run=run)
    with time_machine.travel(exported_at, tick=False):
        payroll.run_mark_exported(by=by, run=run, fmt="csv")
    if results is not None:
        outcome = {}
        for line in run.lines.select_related("child__person"):
            reason = results.get(line.child.person.name)
            outcome[line.line_id] = (reason is None, reason or "")
        payroll.run_apply_results(by=by, run=run, results=outcome)
    return run


@pytest.fixture
def district(users, bureau2, tree, children, standards):
    """March 2026, orphan-home and dfuc at 1,300.00, due on the 10th.

    友谊大街街道 (the supervisor's street):
      王小海  orphan-home  exported 10 March 23:30 (Beijing), bank: paid    → on time, in full
      李梅    dfuc         exported 11 March 07:00 (= 10 March 23:00 UTC)  → late, in full
      陈晨    orphan-home  same run as 王小海, bank: failed “账户已冻结”       → arrears: bank failure
      刘洋    orphan-home  no payee                                         → arrears: no payee
      赵敏    orphan-home  suspended from March “监护情况核查中”              → arrears: suspended
    昆河镇:
      张伟    orphan-home  same run as 王小海, bank: paid                    → on time, in full
    """
    bureau = users["bureau"]
    home = standards
    dfuc = Programme.objects.get(code="dfuc")
    services.standard_set(
        by=bureau, programme=dfuc, effective_from=date(2026, 1, 1), amount_fen=130000
    )
    kids = {
        "王小海": children["xiaohai"],
        "李梅": children["c2"],
        "张伟": children["village"],
        "陈晨": ChildFactory(person=PersonFactory(name="陈晨", years=7), division=tree["c1"]),
        "刘洋": ChildFactory(person=PersonFactory(name="刘洋", years=5), division=tree["c2"]),
        "赵敏": ChildFactory(person=PersonFactory(name="赵敏", years=11), division=tree["c1"]),
    }
    entitlements = {}
    for name, child in kids.items():
        programme = dfuc if name == "李梅" else home
        entitlements[name] = EntitlementFactory(child=child, programme=programme, starts_on=MARCH)
    for n, name in enumerate(["王小海", "李梅", "张伟", "陈晨", "赵敏"]):
        payee(kids[name], f"622200000000{n:04d}")
    services.suspend(
        by=bureau, entitlement=entitlements["赵敏"], from_month=MARCH, reason="监护情况核查中"
    )
    run_through(
        bureau,
        bureau2,
        home,
        exported_at=datetime(2026, 3, 10, 23, 30, tzinfo=CST),
        results={"陈晨": "账户已冻结"},
    )
    run_through(
        bureau,
        bureau2,
        dfuc,
        exported_at=datetime(2026, 3, 11, 7, 0, tzinfo=CST),
        results={},
    )
    return {"kids": kids, "entitlements": entitlements}
