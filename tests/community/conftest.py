"""Community fixtures: a station per level, a partner with a profile, an activity run with it.

The clock stands at 1 September 2026 (children's ages count from it, so the tests pass in any
year): the activity was held on 2026-07-15, the camp's resource on 2026-08-01."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from huhang.accounts.models import OrganisationKind
from huhang.community.activities import services
from huhang.community.models import Activity
from huhang.core.roles import Role
from tests.factories.base import OrganisationFactory, UserFactory
from tests.factories.community import PartnerProfileFactory, WorkstationFactory
from tests.factories.registry import CategoryFactory

HELD = date(2026, 7, 15)
TODAY = datetime(2026, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def stations(tree):
    return {
        "district": WorkstationFactory(
            name="昆都仑区未成年人保护工作站",
            division=tree["district"],
            address="昆都仑区钢铁大街1号",
            brand="昆工有爱·护芽成长",
            opening_hours="周一至周五 9:00–17:00",
        ),
        "street": WorkstationFactory(
            name="友谊大街街道未成年人保护工作站",
            division=tree["street"],
            address="友谊大街18号",
            brand="友谊家·童心梦",
        ),
        "village": WorkstationFactory(
            name="河东村未成年人保护工作站",
            division=tree["village"],
            address="河东村村委会",
            brand="石榴向阳花开",
        ),
    }


@pytest.fixture
def partner_profile(users, orgs):
    return PartnerProfileFactory(
        organisation=orgs["partner"], linked_on=date(2025, 3, 1), created_by=users["bureau"]
    )


@pytest.fixture
def other_partner(db):
    org = OrganisationFactory(name="鹿城爱心企业", kind=OrganisationKind.COMPANY)
    return UserFactory(username="partner2", role=Role.PARTNER, organisation=org)


def approve(child, category: str, since: date = date(2020, 1, 1)):
    return CategoryFactory(child=child, category=category, approved=True, effective_from=since)


@pytest.fixture
def activity(users, stations, orgs, partner_profile) -> Activity:
    """A sand-tray session at the street station, run with the partner (包头市慈善总会)."""
    return services.activity_create(
        by=users["supervisor"],
        station=stations["street"],
        title="沙盘游戏小组",
        kind="sand_tray",
        held_on=HELD,
        capacity=2,
        min_age=6,
        max_age=14,
        partners=[orgs["partner"]],
    )
