"""Fixtures for the guarantee funds: a second bureau officer, standards, an entitled child."""

from __future__ import annotations

from datetime import date

import pytest

from huhang.accounts.models import User
from huhang.benefits import services
from huhang.benefits.models import Entitlement, Programme
from huhang.core.roles import Role


@pytest.fixture
def bureau2(users, tree):
    user = User(username="bureau2", role=Role.BUREAU, division=tree["district"], first_name="二")
    user.set_password("Correct-Horse-42")
    user.save()
    return user


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
        services.payee_set(
            by=users["bureau"],
            child=child,
            name="监护人" + key,
            relation="母亲",
            bank="中国工商银行包头分行",
            account=account,
            valid_from=date(2025, 12, 1),
        )
        rows.append(
            Entitlement.objects.create(child=child, programme=standards, starts_on=date(2026, 1, 1))
        )
    return rows
