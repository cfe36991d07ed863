"""三员分立: the system, security and audit administrators read no child's data. Each of them
against every page of the application (tests/security/urlwalk.py) is refused or shown no child;
the Django admin registers no model that holds a child's data, and its pages show none."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from huhang.core.roles import ADMIN_ROLES, CAPABILITIES, Role
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.security import urlwalk

# What the Django admin may hold: accounts, organisations, divisions, Django's groups, the
# lockout records (django-axes) and the background tasks' results.
ADMIN_APPS = {"accounts", "regions", "auth", "axes", "django_tasks_database"}


@pytest.fixture
def world(tree, users, orgs, children):
    return urlwalk.world(tree, users, orgs, children)


@pytest.fixture
def admins(tree):
    return {
        role: UserFactory(
            username=role, role=role, division=tree["district"], is_staff=True, password=PASSWORD
        )
        for role in sorted(ADMIN_ROLES)
    }


def test_administrators_carry_no_capability_over_children():
    for capability, roles in CAPABILITIES.items():
        if capability.split(".")[0] in {"registry", "case", "benefits", "lead", "category"}:
            assert not roles & ADMIN_ROLES, capability


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_each_administrator_against_every_page(role, client, admins, world):
    client.force_login(admins[role])
    shown = []
    for page in urlwalk.pages():
        url = urlwalk.url_of(page, world)
        if url is None:
            continue
        response = client.get(url)
        if page.name == "core:audit_list" and role == Role.AUDIT_ADMIN:
            assert response.status_code == 200  # the audit log is its work (labels name records)
            continue
        if response.status_code == 200 and urlwalk.shows_a_child(response):
            shown.append(f"{page.name} {url}")
    assert not shown, f"{role} sees a child on:\n" + "\n".join(shown)


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
def test_each_administrator_is_refused_the_child_pages(role, client, admins, world):
    client.force_login(admins[role])
    child = world["child"].pk
    for url in (
        reverse("registry:child_list"),
        reverse("workbench:child_detail", args=[child]),
        reverse("registry:child_edit", args=[child]),
        reverse("benefits:payee", args=[child]),
        reverse("cases:case_detail", args=[world["case"].pk]),
        reverse("screening:lead_detail", args=[world["lead"].pk]),
        f"/api/children/{child}",
    ):
        assert client.get(url).status_code in (403, 404), url


def test_the_django_admin_registers_no_child_data():
    registered = {model._meta.app_label for model in admin.site._registry}
    assert registered <= ADMIN_APPS, registered - ADMIN_APPS


def test_no_page_of_the_django_admin_shows_a_child(client, tree, world):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    for model in admin.site._registry:
        meta = model._meta
        changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200, meta.label
        assert not urlwalk.shows_a_child(changelist), meta.label


def test_the_system_administrator_keeps_accounts_but_cannot_raise_itself(client, admins, users):
    system = admins[Role.SYSTEM_ADMIN]
    client.force_login(system)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
    own = client.get(reverse("admin:accounts_user_change", args=[system.pk]))
    assert "role" in own.context["adminform"].readonly_fields
    assert "is_superuser" in own.context["adminform"].readonly_fields


def test_the_security_administrator_unlocks_but_keeps_no_accounts(client, admins):
    client.force_login(admins[Role.SECURITY_ADMIN])
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_an_admin_change_to_a_user_is_audited(client, admins, users):
    from huhang.core.models import AuditEvent

    client.force_login(admins[Role.SYSTEM_ADMIN])
    director = users["director"]
    url = reverse("admin:accounts_user_change", args=[director.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        last_name="王", first_name="芳芳", date_joined_0="2026-01-01", date_joined_1="08:00"
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="change", object_type="user")
    assert event.object_id == str(director.pk) and event.username == "system_admin"


def test_the_admin_login_is_the_applications_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
