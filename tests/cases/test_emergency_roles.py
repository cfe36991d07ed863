"""Every role against every emergency-protection page (GET): allowed (200), refused by role
(403), out of scope (404). The emergencies: 王小海's in 友谊一社区 (the supervisor's street) and
张伟's in 河东村 (昆河镇, director2's village)."""

from __future__ import annotations

import pytest

from tests.factories.cases import EmergencyFactory

ROLES = [
    "bureau",
    "supervisor",
    "director",
    "director2",
    "socialworker",
    "partner",
    "dataofficer",
    "auditor",
]
NO_REGISTRY = {"partner": 403, "dataofficer": 403, "auditor": 403}
ONLY_BUREAU = {**dict.fromkeys(ROLES, 403), "bureau": 200}
OPENERS = {**dict.fromkeys(ROLES, 403), "bureau": 200, "supervisor": 200}

MATRIX = {
    ("list", None): {**dict.fromkeys(ROLES, 200), **NO_REGISTRY},
    ("detail", "xiaohai"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 404,
        "socialworker": 404,
        **NO_REGISTRY,
    },
    ("detail", "village"): {
        "bureau": 200,
        "supervisor": 404,
        "director": 404,
        "director2": 200,
        "socialworker": 404,
        **NO_REGISTRY,
    },
    ("open", "c2"): OPENERS,
    ("open", "village"): {**OPENERS, "supervisor": 404},
    ("log", "xiaohai"): OPENERS,
    ("log", "village"): {**OPENERS, "supervisor": 404},
    ("resolve", "xiaohai"): ONLY_BUREAU,
    ("resolve", "village"): ONLY_BUREAU,
}


@pytest.fixture
def emergencies(users, children):
    return {
        key: EmergencyFactory(child=children[key], opened_by=users["bureau"])
        for key in ("xiaohai", "village")
    }


def _url(page: str, key: str | None, children, emergencies) -> str:
    if page == "list":
        return "/cases/emergency/"
    if page == "open":
        return f"/cases/emergency/new/?child={children[key].pk}"
    suffix = {"detail": "", "log": "log/", "resolve": "resolve/"}[page]
    return f"/cases/emergency/{emergencies[key].pk}/{suffix}"


@pytest.mark.parametrize(("page", "key", "role"), [(*k, r) for k in MATRIX for r in ROLES])
def test_role_matrix(users, children, emergencies, login, page, key, role):
    url = _url(page, key, children, emergencies)
    assert login(users[role]).get(url).status_code == MATRIX[(page, key)][role]
