"""Fixtures for the guarantee funds: a second bureau officer, standards, an entitled child; and
the clock of a day in 2026.

The funds' tests live in 2026 (standards from 2025-01 and 2026-01, runs for months of 2026)
beside children whose ages count from today: the clock is pinned to a day after all those
months, so that they pass in any year. Tests that need another day travel there themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from huhang.benefits import services
from huhang.benefits.models import Programme
from huhang.core.roles import Role
from tests.factories.base import UserFactory
from tests.factories.benefits import EntitlementFactory, confirmed

TODAY = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _in_2026(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def bureau2(users, tree):
    return UserFactory(
        username="bureau2",
        role=Role.BUREAU,
        division=tree["district"],
        first_name="二",
    )


@pytest.fixture
def home(db):
    return Programme.objects.get(code="orphan-home")


@pytest.fixture
def standards(users, home):
    """1,200.00 yuan a month from 2025-01, 1,300.00 from 2026-01."""
    services.standard_set(
        by=users["bureau"], programme=home, effective_from=date(2025, 1, 1), amount_fen=120000
    )
    services.standard_set(
        by=users["bureau"], programme=home, effective_from=date(2026, 1, 1), amount_fen=130000
    )
    return home


@pytest.fixture
def entitled(users, children, standards):
    """王小海 and 李梅, entitled to orphan-home from 2026-01, with payees."""
    rows = []
    for key, account in (("xiaohai", "6222020200001234567"), ("c2", "6228480000007654321")):
        child = children[key]
        confirmed(
            services.payee_set(
                by=users["bureau"],
                child=child,
                name="监护人" + key,
                relation="母亲",
                bank="中国工商银行包头分行",
                account=account,
                valid_from=date(2025, 12, 1),
            )
        )
        rows.append(
            EntitlementFactory(child=child, programme=standards, starts_on=date(2026, 1, 1))
        )
    return rows
