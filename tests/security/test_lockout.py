"""Lockout counts failures per account whatever the address, and per address whatever the
account; what it answers never tells whether an account exists."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

WRONG = "nope-nope-nope"


def _post(client, username, password, ip):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_failures_from_two_addresses_lock_the_account(users, client):
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        _post(client, "director", WRONG, "10.0.0.1" if n % 2 else "10.0.0.2")
    # The right password from a third address is refused too.
    response = _post(client, "director", PASSWORD, "10.0.0.3")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    # Another account from those addresses is not locked.
    assert _post(client, "supervisor", PASSWORD, "10.0.0.1").status_code == 302


def test_many_accounts_tried_from_one_address_lock_the_address(users, client):
    for n in range(settings.HUHANG_LOGIN_ADDRESS_FAILURE_LIMIT):
        _post(client, f"guess{n}", WRONG, "10.0.0.9")
    assert _post(client, "director", PASSWORD, "10.0.0.9").status_code == 429
    assert _post(client, "director", PASSWORD, "10.0.0.8").status_code == 302


def test_the_answers_do_not_tell_whether_an_account_exists(users, client):
    failed_real = _post(client, "director", WRONG, "10.0.1.1")
    failed_none = _post(client, "no-such-user", WRONG, "10.0.2.1")
    assert failed_real.status_code == failed_none.status_code == 200
    assert failed_real.context["form"].non_field_errors() == (
        failed_none.context["form"].non_field_errors()
    )
    for n in range(settings.AXES_FAILURE_LIMIT):
        _post(client, "director", WRONG, f"10.0.1.{n + 2}")
        _post(client, "no-such-user", WRONG, f"10.0.2.{n + 2}")
    locked_real = _post(client, "director", PASSWORD, "10.0.1.99")
    locked_none = _post(client, "no-such-user", PASSWORD, "10.0.2.99")
    assert locked_real.status_code == locked_none.status_code == 429
    assert _page(locked_real) == _page(locked_none)


def _page(response) -> str:
    """The page without its CSRF tokens (a new one per response)."""
    return re.sub(r'(X-CSRFToken": "|value=")[A-Za-z0-9]{32,}', r"\1…", response.content.decode())


def test_a_login_clears_its_own_account_only(users, client):
    """Someone with a valid account cannot wipe out the failures it caused on another."""
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        _post(client, "director", WRONG, "10.0.0.5")
    assert _post(client, "supervisor", PASSWORD, "10.0.0.5").status_code == 302
    client.logout()
    _post(client, "director", WRONG, "10.0.0.6")
    assert _post(client, "director", PASSWORD, "10.0.0.6").status_code == 429


def test_a_login_clears_the_accounts_earlier_failures(users, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(client, "director", WRONG, "10.0.0.5")
    assert _post(client, "director", PASSWORD, "10.0.0.5").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(client, "director", WRONG, "10.0.0.5")
    assert _post(client, "director", PASSWORD, "10.0.0.5").status_code == 302
