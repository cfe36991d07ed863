"""Login security: lockout after repeated failures, strong passwords, idle session expiry."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import PASSWORD


def test_login_with_the_right_password(users, client):
    response = client.post(
        reverse("accounts:login"), {"username": "director", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("registry:child_list")).status_code == 200


def test_lockout_after_repeated_failures(users, client):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "director", "password": "nope-nope-nope"})
    # Even the right password is refused now.
    response = client.post(url, {"username": "director", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert client.get(reverse("registry:child_list")).status_code == 302


def test_wrong_password_shows_a_clear_message(users, client):
    response = client.post(
        reverse("accounts:login"), {"username": "director", "password": "nope-nope-nope"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


@pytest.mark.parametrize(
    "weak", ["short1A!", "huhangdemo", "1234567890123", "password123", "alllowercaseletters"]
)
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_strong_password_passes():
    validate_password("Kundulun-2026-safe")


def test_session_expires_after_inactivity():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60


def test_logout_needs_post_and_ends_the_session(users, login):
    client = login(users["director"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("registry:child_list")).status_code == 302
