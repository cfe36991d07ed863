"""Two-factor pages: give the code after the password, enrol an authenticator, and (for the
security administrator) reset a user's authenticator."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from huhang.accounts.models import User
from huhang.accounts.twofactor import services
from huhang.accounts.twofactor.forms import CodeForm, ResetForm
from huhang.core import scope
from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.core.paging import render_list

# Wrong codes a session may give before it must start again with the password.
MAX_CODE_FAILURES = 5
_FAILURES = "huhang_otp_failures"
_PENDING = "huhang_otp_device"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


def otp_verify(request) -> HttpResponse:
    user = request.user
    if user.is_verified() or not user.otp_enrolled:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(_FAILURES, None)
            if device.persistent_id.startswith("otp_static"):
                left = services.recovery_codes_left(user)
                messages.warning(request, _("已使用一个恢复码，还剩 %(n)d 个。") % {"n": left})
            return redirect(_next(request))
        failures = request.session.get(_FAILURES, 0) + 1
        if failures >= MAX_CODE_FAILURES:
            logout(request)
            messages.error(request, _("验证码错误次数过多，请重新登录。"))
            return redirect(settings.LOGIN_URL)
        request.session[_FAILURES] = failures
        form.add_error("code", _("验证码不正确。"))
    return render(request, "accounts/twofactor/verify.html", {"form": form, "next": _next(request)})


def otp_setup(request) -> HttpResponse:
    """Enrol (or, for an enrolled user who gave its code, renew the recovery codes)."""
    user = request.user
    if user.otp_enrolled and not user.is_verified():
        return redirect("accounts:otp_verify")
    if user.otp_enrolled:
        return _enrolled(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device_id = request.session.get(_PENDING, 0)
        call = lambda: services.totp_confirm(  # noqa: E731
            by=user, device_id=device_id, code=form.cleaned_data["code"]
        )
        codes = run_service(form, call)
        if codes is not None:
            otp_login(request, TOTPDevice.objects.get(pk=device_id))
            request.session.pop(_PENDING, None)
            return _codes(request, codes, next_url=_next(request))
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    else:
        device = None
    if device is None:
        device = services.totp_start(by=user)
        request.session[_PENDING] = device.pk
    context = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True),
        "secret": _grouped(base64.b32encode(device.bin_key).decode()),
        "required": services.otp_required(user),
        "next": _next(request),
    }
    return render(request, "accounts/twofactor/setup.html", context)


def _enrolled(request, user: User) -> HttpResponse:
    if request.method == "POST":
        return _codes(request, services.recovery_codes_renew(by=user), next_url="")
    left = services.recovery_codes_left(user)
    return render(request, "accounts/twofactor/enrolled.html", {"left": left})


def _codes(request, codes: list[str], *, next_url: str) -> HttpResponse:
    context = {"codes": codes, "next": next_url or settings.LOGIN_REDIRECT_URL}
    return render(request, "accounts/twofactor/codes.html", context)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otp_reset_list(request) -> HttpResponse:
    require(request.user, "security.manage")
    query = request.GET.get("q", "").strip()
    accounts = scope.visible(request.user, User, "security").filter(otp_enrolled=True)
    if query:
        accounts = accounts.filter(username__icontains=query)
    return render_list(
        request, "accounts/twofactor/reset.html", accounts.order_by("username"), q=query
    )


@require_POST
def otp_reset(request) -> HttpResponse:
    form = ResetForm(request.POST)
    if form.is_valid():
        target = services.otp_reset(by=request.user, user_id=form.cleaned_data["user_id"])
        messages.success(
            request, _("已重置 %(name)s 的两步验证；其下次登录时须重新绑定。") % {"name": target}
        )
    return redirect("accounts:otp_reset_list")
