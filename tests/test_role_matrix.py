"""Every role against every page: allowed (200), refused by role (403), out of scope (404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

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

# page → {role: expected status}; the child keys name the fixture children.
MATRIX = {
    ("workbench:home", None): dict.fromkeys(ROLES, 200),
    ("registry:child_list", None): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 200,
        "socialworker": 200,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("registry:child_create", None): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 200,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("workbench:child_detail", "xiaohai"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 404,
        "socialworker": 200,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("workbench:child_detail", "c2"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 404,
        "director2": 404,
        "socialworker": 404,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("workbench:child_detail", "village"): {
        "bureau": 200,
        "supervisor": 404,
        "director": 404,
        "director2": 200,
        "socialworker": 404,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("registry:child_edit", "xiaohai"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 404,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("registry:relation_create", "village"): {
        "bureau": 200,
        "supervisor": 404,
        "director": 404,
        "director2": 200,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("registry:situation_create", "xiaohai"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 404,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("registry:household_edit", "c2"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 404,
        "director2": 404,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("registry:category_create", "xiaohai"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 404,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("registry:document_create", "xiaohai"): {
        "bureau": 200,
        "supervisor": 200,
        "director": 200,
        "director2": 404,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 403,
    },
    ("core:audit_list", None): {
        "bureau": 200,
        "supervisor": 403,
        "director": 403,
        "director2": 403,
        "socialworker": 403,
        "partner": 403,
        "dataofficer": 403,
        "auditor": 200,
    },
}
# The exports answer like the pages they export.
MATRIX[("registry:child_export_xlsx", None)] = MATRIX[("registry:child_list", None)]
MATRIX[("registry:child_export", None)] = MATRIX[("registry:child_list", None)]
MATRIX[("core:audit_export", None)] = MATRIX[("core:audit_list", None)]
# Offline field work (issue 13): the roles that record visits; the app shell is everyone's.
FIELD_WORK = {
    "bureau": 200,
    "supervisor": 200,
    "director": 200,
    "director2": 200,
    "socialworker": 200,
    "partner": 403,
    "dataofficer": 403,
    "auditor": 403,
}
for _name in ("cases:visit_children", "cases:visit_outbox", "cases:visit_sync"):
    MATRIX[(_name, None)] = FIELD_WORK
# The bureau records visits too, but its desk computer keeps no pages for offline use.
MATRIX[("workbench:offline_pages", None)] = {**FIELD_WORK, "bureau": 403}
for _name in ("core:service_worker", "core:web_manifest"):
    MATRIX[(_name, None)] = dict.fromkeys(ROLES, 200)

CASES = [
    (name, child, role, status)
    for (name, child), expected in MATRIX.items()
    for role, status in expected.items()
]


@pytest.mark.parametrize(("name", "child", "role", "status"), CASES)
def test_role_page_matrix(name, child, role, status, users, children, login):
    client = login(users[role])
    args = [children[child].pk] if child else []
    response = client.get(reverse(name, args=args))
    assert response.status_code == status


@pytest.mark.parametrize("name", ["workbench:child_detail", "registry:child_edit"])
def test_nonexistent_child_is_404_like_out_of_scope(name, users, children, login):
    response = login(users["bureau"]).get(reverse(name, args=[999_999]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, children):
    response = client.get(reverse("workbench:child_detail", args=[children["xiaohai"].pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_wrong_method_is_405(users, children, login):
    url = reverse("registry:guardian_set", args=[children["xiaohai"].pk, 1])
    assert login(users["bureau"]).get(url).status_code == 405


def test_socialworker_list_shows_only_assigned_children(users, children, login):
    body = login(users["socialworker"]).get(reverse("registry:child_list")).content.decode()
    assert "王小海" in body
    assert "李梅" not in body and "张伟" not in body


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("supervisor", {"王小海", "李梅"}, {"张伟"}),
        ("director", {"王小海"}, {"李梅", "张伟"}),
        ("director2", {"张伟"}, {"王小海", "李梅"}),
        ("bureau", {"王小海", "李梅", "张伟"}, set()),
    ],
)
def test_list_shows_the_scope_and_nothing_else(role, visible, hidden, users, children, login):
    body = login(users[role]).get(reverse("registry:child_list")).content.decode()
    for name in visible:
        assert name in body
    for name in hidden:
        assert name not in body
