"""Community fixtures: a station per level, a partner with a profile, an activity run with it.

Dates are fixed (no clock): the activity is held on 2026-07-15, the resource on 2026-08-01."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from huhang.accounts.models import Organisation, OrganisationKind, User
from huhang.community import services
from huhang.community.models import Activity, PartnerProfile, Workstation
from huhang.core.roles import Role
from huhang.registry.models import CategoryAssignment

HELD = date(2026, 7, 15)


@pytest.fixture
def stations(tree):
    return {
        "district": Workstation.objects.create(
            name="昆都仑区未成年人保护工作站",
            level="district",
            division=tree["district"],
            address="昆都仑区钢铁大街1号",
            brand="昆工有爱·护芽成长",
            opening_hours="周一至周五 9:00–17:00",
        ),
        "street": Workstation.objects.create(
            name="友谊大街街道未成年人保护工作站",
            level="street",
            division=tree["street"],
            address="友谊大街18号",
            brand="友谊家·童心梦",
        ),
        "village": Workstation.objects.create(
            name="河东村未成年人保护工作站",
            level="community",
            division=tree["village"],
            address="河东村村委会",
            brand="石榴向阳花开",
        ),
    }


@pytest.fixture
def partner_profile(users, orgs):
    return PartnerProfile.objects.create(
        organisation=orgs["partner"], linked_on=date(2025, 3, 1), created_by=users["bureau"]
    )


@pytest.fixture
def other_partner(db):
    org = Organisation.objects.create(name="鹿城爱心企业", kind=OrganisationKind.COMPANY)
    user = User(username="partner2", role=Role.PARTNER, organisation=org)
    user.set_password("Correct-Horse-42")
    user.save()
    return user


def approve(child, category: str, since: date = date(2020, 1, 1)):
    return CategoryAssignment.objects.create(
        child=child,
        category=category,
        status="approved",
        effective_from=since,
        approved_at=timezone.now(),
    )


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
