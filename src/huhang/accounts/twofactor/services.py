"""Two-factor login (django-otp): an authenticator app (TOTP) and one-time recovery codes.

Who must use it is a setting (HUHANG_2FA_REQUIRED, on in production, and HUHANG_2FA_ROLES: the
bureau, the auditor, the data officer and the three administrators; any staff account too);
anyone else may enrol. Enrolment shows a QR code and the secret, and is confirmed by a first
code; ten recovery codes come with it, each usable once. A lost phone is the security
administrator's to reset (三员分立), and the reset is in the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from huhang.accounts.models import User
from huhang.core import scope
from huhang.core.access import require
from huhang.core.audit import audit_object, audit_record
from huhang.core.exceptions import DomainError
from huhang.core.models import AuditAction

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def otp_required(user: User) -> bool:
    """Whether the user may not work without the second factor."""
    if not settings.HUHANG_2FA_REQUIRED:
        return False
    return bool(user.is_staff or user.is_superuser or user.role in settings.HUHANG_2FA_ROLES)


def totp_start(*, by: User) -> TOTPDevice:
    """A new authenticator secret for `by`, not yet in use (until `totp_confirm`)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=by, confirmed=False).delete()
        return TOTPDevice.objects.create(user=by, name=TOTP_NAME, confirmed=False)


def totp_confirm(*, by: User, device_id: int, code: str) -> list[str]:
    """Put the new authenticator in use once it has produced a right code; returns the
    recovery codes (shown once, never again)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(
            user=by, pk=device_id, confirmed=False
        )
        pending = device.first()
        if pending is None:
            raise DomainError(_("请重新开始启用两步验证。"))
        if not pending.verify_token(code.strip()):
            raise DomainError(_("验证码不正确，请核对手机上显示的 6 位数字。"), field="code")
        TOTPDevice.objects.filter(user=by, confirmed=True).delete()
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(by)
        User.objects.filter(pk=by.pk).update(otp_enrolled=True)
        by.otp_enrolled = True
        audit_object(by=by, action=AuditAction.OTP_ENROL, obj=by)
    return codes


def recovery_codes_renew(*, by: User) -> list[str]:
    """New recovery codes for an enrolled user; the old ones stop working."""
    if not by.otp_enrolled:
        raise DomainError(_("尚未启用两步验证。"))
    with transaction.atomic():
        codes = _new_recovery_codes(by)
        audit_object(by=by, action=AuditAction.OTP_ENROL, obj=by, recovery_codes="renewed")
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def second_factor_check(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (the authenticator's, or an unused recovery code, which is
    used up), or None. Each device throttles its own failures (django-otp); the login view
    also ends the session after a few. Audited either way."""
    code = code.strip().replace(" ", "").lower()
    with transaction.atomic():
        found = next(
            (d for d in devices_for_user(user, for_verify=True) if d.verify_token(code)), None
        )
    if found is None:
        audit_record(
            by=user.get_username(), action=AuditAction.LOGIN_FAILED, detail={"step": "2fa"}
        )
        return None
    factor = "recovery" if isinstance(found, StaticDevice) else "totp"
    audit_record(by=user, action=AuditAction.LOGIN, detail={"step": "2fa", "factor": factor})
    return found


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def otp_reset(*, by: User, user_id: int) -> User:
    """The security administrator takes away a user's authenticator and recovery codes (a lost
    phone); the user enrols again at its next login. Only for accounts within `by`'s scope."""
    require(by, "security.manage")
    target = scope.get(by, User, user_id, purpose="security")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=target).delete()
        StaticDevice.objects.filter(user=target).delete()
        User.objects.filter(pk=target.pk).update(otp_enrolled=False)
        audit_object(by=by, action=AuditAction.OTP_RESET, obj=target)
    target.otp_enrolled = False
    return target
