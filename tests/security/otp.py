"""What a user's authenticator app would show: the TOTP code of a secret at a moment."""

from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP


def code_for(secret: bytes | str, *, ahead: int = 0) -> str:
    """The 6-digit code for `secret` (raw bytes, or base32 as shown on the page), `ahead` time
    steps from now (a code already used is refused, so a second login takes the next one)."""
    key = base64.b32decode(secret.replace(" ", "")) if isinstance(secret, str) else secret
    totp = TOTP(key)
    totp.time = time.time() + 30 * ahead
    return f"{totp.token():06d}"
