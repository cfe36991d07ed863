"""Two-factor login: who must use it, enrolment, the code after the password, recovery codes, and
the security administrator's reset, each in the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from huhang.core.models import AuditEvent
from huhang.core.roles import Role
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.security.otp import code_for

SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")


@pytest.fixture
def required(settings):
    settings.HUHANG_2FA_REQUIRED = True


def _password(client, username: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def _enrol(client, user) -> list[str]:
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": code_for(device.bin_key)})
    assert response.status_code == 200, response.content.decode()
    return response.context["codes"]


def test_the_demo_stays_password_only(users, client):
    _password(client, "bureau")
    assert client.get(reverse("registry:child_list")).status_code == 200


def test_a_required_role_must_enrol_before_anything_else(required, users, client):
    _password(client, "bureau")
    response = client.get(reverse("registry:child_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert client.get("/api/children")["Location"].startswith(SETUP)


def test_other_roles_may_go_without(required, users, client):
    _password(client, "director")
    assert client.get(reverse("registry:child_list")).status_code == 200


def test_a_staff_account_must_enrol(required, tree, client):
    UserFactory(username="staffer", is_staff=True, password=PASSWORD)
    _password(client, "staffer")
    assert client.get(reverse("workbench:home"))["Location"].startswith(SETUP)


def test_enrolment_gives_recovery_codes_and_is_audited(required, users, client):
    bureau = users["bureau"]
    _password(client, "bureau")
    page = client.get(SETUP)
    assert b"<svg" in page.content and page.context["secret"]
    codes = _enrol(client, bureau)
    assert len(codes) == len(set(codes)) == 10
    bureau.refresh_from_db()
    assert bureau.otp_enrolled
    assert AuditEvent.objects.filter(action="otp_enrol", object_id=str(bureau.pk)).exists()
    # Verified in this session: the pages open.
    assert client.get(reverse("registry:child_list")).status_code == 200


def test_a_wrong_first_code_does_not_enrol(required, users, client):
    _password(client, "bureau")
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.context["form"].errors["code"]
    users["bureau"].refresh_from_db()
    assert not users["bureau"].otp_enrolled


def test_after_the_password_the_code(users, client):
    """Enrolled users give the code at every login, whether required or not."""
    director = users["director"]
    _password(client, "director")
    _enrol(client, director)
    client.post(reverse("accounts:logout"))
    _password(client, "director")
    assert client.get(reverse("registry:child_list"))["Location"].startswith(VERIFY)
    device = TOTPDevice.objects.get(user=director)
    response = client.post(
        VERIFY, {"code": code_for(device.bin_key, ahead=1), "next": "/children/"}
    )
    assert response["Location"] == "/children/"
    assert client.get(reverse("registry:child_list")).status_code == 200
    steps = AuditEvent.objects.filter(username="director", action="login").order_by("seq")
    assert [e.detail.get("step") for e in steps] == [None, None, "2fa"]


def test_a_recovery_code_works_once(users, client):
    codes = (_password(client, "director"), _enrol(client, users["director"]))[1]
    for attempt in range(2):
        client.post(reverse("accounts:logout"))
        _password(client, "director")
        client.post(VERIFY, {"code": codes[0]})
        status = client.get(reverse("registry:child_list")).status_code
        assert status == (200 if attempt == 0 else 302)


def test_too_many_wrong_codes_end_the_session(users, client):
    _password(client, "director")
    _enrol(client, users["director"])
    client.post(reverse("accounts:logout"))
    _password(client, "director")
    for _ in range(5):
        response = client.post(VERIFY, {"code": "123456"})
    assert response["Location"] == reverse("accounts:login")
    assert client.get(VERIFY).status_code == 302  # logged out: the login page again
    assert AuditEvent.objects.filter(action="login_failed", detail__step="2fa").count() == 5


def test_the_password_alone_cannot_renew_the_recovery_codes(users, client):
    _password(client, "director")
    _enrol(client, users["director"])
    client.post(reverse("accounts:logout"))
    _password(client, "director")
    response = client.post(SETUP)
    assert response["Location"].startswith(VERIFY)


def test_the_security_administrator_resets_within_its_scope(users, tree, login):
    bureau = users["bureau"]
    login(bureau)
    client = login(bureau)
    _enrol(client, bureau)
    security = UserFactory(role=Role.SECURITY_ADMIN, division=tree["district"])
    street_security = UserFactory(role=Role.SECURITY_ADMIN, division=tree["street"])
    reset = reverse("accounts:otp_reset")
    assert login(users["auditor"]).post(reset, {"user_id": bureau.pk}).status_code == 403
    assert login(street_security).post(reset, {"user_id": bureau.pk}).status_code == 404
    page = login(security).get(reverse("accounts:otp_reset_list"))
    assert [a.username for a in page.context["page"]] == ["bureau"]
    assert login(security).post(reset, {"user_id": bureau.pk}).status_code == 302
    bureau.refresh_from_db()
    assert not bureau.otp_enrolled and not TOTPDevice.objects.filter(user=bureau).exists()
    event = AuditEvent.objects.get(action="otp_reset")
    assert (event.user_id, event.object_id) == (security.pk, str(bureau.pk))
