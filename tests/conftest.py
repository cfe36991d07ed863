"""Shared fixtures: a small division tree and one user per role, plus an outsider.

Tree: 昆都仑区 (150203) → 友谊大街街道 (150203005) → 友谊一社区 (150203005001), 友谊二社区 (...002)
                       → 昆河镇 (150203100) → 河东村 (150203100201)
"""

from __future__ import annotations

import os

import factory.random
import pytest
from hypothesis import HealthCheck, settings

from huhang.accounts.models import OrganisationKind, User
from huhang.core.roles import Role
from huhang.regions.models import Kind
from huhang.registry.models import ChildAssignment
from tests.factories import (
    ChildFactory,
    DivisionFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

PASSWORD = "Correct-Horse-42"

# One Hypothesis profile for the whole suite. Timing on a shared 2-core machine is no property,
# so there is no deadline; "ci" (HYPOTHESIS_PROFILE=ci, set by .ci/run) also derandomizes, so a
# red CI run is the same run on a developer's machine. Database-backed property tests use
# function-scoped fixtures on purpose (the data is rebuilt per test, not per example).
_PROFILE = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("dev", **_PROFILE)
settings.register_profile("ci", derandomize=True, print_blob=True, **_PROFILE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _seeded_faker():
    """Every test sees the same fake names and numbers, whatever ran before it."""
    factory.random.reseed_random("huhang")


@pytest.fixture
def tree(db):
    district = DivisionFactory(code="150203", name="昆都仑区")
    street = DivisionFactory(code="150203005", name="友谊大街街道", parent=district)
    town = DivisionFactory(code="150203100", name="昆河镇", parent=district, kind=Kind.TOWN)
    return {
        "district": district,
        "street": street,
        "town": town,
        "c1": DivisionFactory(code="150203005001", name="友谊一社区", parent=street),
        "c2": DivisionFactory(code="150203005002", name="友谊二社区", parent=street),
        "village": DivisionFactory(
            code="150203100201", name="河东村", parent=town, kind=Kind.VILLAGE
        ),
    }


@pytest.fixture
def orgs(db):
    return {
        "sw": OrganisationFactory(
            name="童心有梦社会工作服务中心", kind=OrganisationKind.SOCIAL_WORK
        ),
        "partner": OrganisationFactory(name="包头市慈善总会", kind=OrganisationKind.CHARITY),
        "edu": OrganisationFactory(
            name="昆都仑区教育局", kind=OrganisationKind.DEPARTMENT, department="education"
        ),
    }


def _user(username: str, role: str, **binding) -> User:
    return UserFactory(username=username, role=role, password=PASSWORD, **binding)


@pytest.fixture
def users(tree, orgs):
    return {
        "bureau": _user("bureau", Role.BUREAU, division=tree["district"]),
        "supervisor": _user("supervisor", Role.SUPERVISOR, division=tree["street"]),
        "director": _user("director", Role.DIRECTOR, division=tree["c1"]),
        "director2": _user("director2", Role.DIRECTOR, division=tree["village"]),
        "socialworker": _user("socialworker", Role.SOCIAL_WORKER, organisation=orgs["sw"]),
        "partner": _user("partner", Role.PARTNER, organisation=orgs["partner"]),
        "dataofficer": _user("dataofficer", Role.DATA_OFFICER, organisation=orgs["edu"]),
        "auditor": _user("auditor", Role.AUDITOR, division=tree["district"]),
    }


@pytest.fixture
def children(tree, orgs):
    """One child in each community; the one in 友谊一社区 is 王小海, assigned to 童心有梦."""
    xiaohai = ChildFactory(
        person=PersonFactory(name="王小海", sex="M", years=9), division=tree["c1"]
    )
    other = ChildFactory(person=PersonFactory(name="李梅", sex="F", years=12), division=tree["c2"])
    village = ChildFactory(
        person=PersonFactory(name="张伟", sex="M", years=6), division=tree["village"]
    )
    ChildAssignment.objects.create(child=xiaohai, organisation=orgs["sw"], reason="个案服务")
    return {"xiaohai": xiaohai, "c2": other, "village": village}


@pytest.fixture
def login(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_
