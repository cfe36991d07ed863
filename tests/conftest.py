"""Shared fixtures: a small division tree and one user per role, plus an outsider.

Tree: 昆都仑区 (150203) → 友谊大街街道 (150203001) → 友谊一社区 (150203001001), 友谊二社区 (...002)
                       → 昆河镇 (150203002) → 河东村 (150203002001)
"""

from __future__ import annotations

import pytest

from huhang.accounts.models import Organisation, OrganisationKind, User
from huhang.core.roles import Role
from huhang.regions.models import Division, Kind, Level
from huhang.registry.models import ChildAssignment
from tests.factories import ChildFactory, PersonFactory

PASSWORD = "Correct-Horse-42"


@pytest.fixture
def tree(db):
    district = Division.objects.create(
        code="150203", name="昆都仑区", level=Level.DISTRICT, kind=Kind.DISTRICT
    )
    street = Division.objects.create(
        code="150203001", name="友谊大街街道", level=Level.STREET, kind=Kind.STREET, parent=district
    )
    town = Division.objects.create(
        code="150203002", name="昆河镇", level=Level.STREET, kind=Kind.TOWN, parent=district
    )
    c1 = Division.objects.create(
        code="150203001001",
        name="友谊一社区",
        level=Level.COMMUNITY,
        kind=Kind.COMMUNITY,
        parent=street,
    )
    c2 = Division.objects.create(
        code="150203001002",
        name="友谊二社区",
        level=Level.COMMUNITY,
        kind=Kind.COMMUNITY,
        parent=street,
    )
    village = Division.objects.create(
        code="150203002001", name="河东村", level=Level.COMMUNITY, kind=Kind.VILLAGE, parent=town
    )
    return {
        "district": district,
        "street": street,
        "town": town,
        "c1": c1,
        "c2": c2,
        "village": village,
    }


@pytest.fixture
def orgs(db):
    return {
        "sw": Organisation.objects.create(
            name="童心有梦社会工作服务中心", kind=OrganisationKind.SOCIAL_WORK
        ),
        "partner": Organisation.objects.create(
            name="包头市慈善总会", kind=OrganisationKind.CHARITY
        ),
        "edu": Organisation.objects.create(
            name="昆都仑区教育局", kind=OrganisationKind.DEPARTMENT, department="education"
        ),
    }


def _user(username: str, role: str, **binding) -> User:
    user = User(username=username, role=role, first_name=username, **binding)
    user.set_password(PASSWORD)
    user.save()
    return user


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
