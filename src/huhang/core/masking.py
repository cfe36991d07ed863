"""Masked display of identifiers for lists, exports and users without the right to see
them in full. A masked value must never reveal more than the documented parts."""

from __future__ import annotations

__all__ = ["mask_account", "mask_id_number", "mask_phone"]

# Keeping 6 + 4 characters of a value shorter than this would hide (almost) nothing.
_MIN_ID_LENGTH_FOR_PARTS = 14
_MIN_PHONE_LENGTH_FOR_PREFIX = 11


def _compact(value: str | None, separators: str = "") -> str:
    if not value:
        return ""
    return "".join(ch for ch in value if not ch.isspace() and ch not in separators)


def mask_id_number(value: str | None) -> str:
    """ "150203201501011234" -> "150203********1234": region and check part stay visible."""
    value = _compact(value)
    if len(value) < _MIN_ID_LENGTH_FOR_PARTS:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_account(value: str | None) -> str:
    """Bank account: only the last 4 digits, grouped in fours from the right like printed
    card numbers ("**** **** 1234")."""
    value = _compact(value, "-")
    if len(value) < 5:
        return "*" * len(value)
    stars = len(value) - 4
    groups = ["*" * 4] * (stars // 4)
    if stars % 4:
        groups.insert(0, "*" * (stars % 4))
    return " ".join([*groups, value[-4:]])


def mask_phone(value: str | None) -> str:
    """ "13812345678" -> "138****5678"; shorter numbers keep only the last 4 digits."""
    value = _compact(value, "-")
    if len(value) >= _MIN_PHONE_LENGTH_FOR_PREFIX:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) >= 7:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)
