"""Until the second factor is given, a password alone opens only the two-factor pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from huhang.accounts.twofactor.services import otp_required

# The pages a user who has given only its password may reach.
OPEN = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:otp_verify",
        "accounts:otp_setup",
        "set_language",
    }
)


def pending_step(user) -> str | None:
    """The page the user must pass before anything else, or None."""
    if not user.is_authenticated or user.is_verified():
        return None
    if user.otp_enrolled:
        return "accounts:otp_verify"
    return "accounts:otp_setup" if otp_required(user) else None


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware (which knows whether the session gave a code): an
    enrolled user gives its code, a user who must enrol enrols, before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = pending_step(request.user)
        if step is not None and not _open(request):
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _open(request: HttpRequest) -> bool:
    try:
        return resolve(request.path_info).view_name in OPEN
    except Resolver404:
        return False
