"""Masked display of identifiers for lists, exports and users without the right to see
them in full. A masked value must never reveal more than the documented parts.

What a role sees of a child's identity is decided in ONE place, `disclosure(user)`, used by the
pages, the exports, the API and the audit log's display (`shown_id`, `shown_birth`, `redact`):

- a role with ``registry.full_id`` (bureau, supervisor, director) sees the full number where a
  page shows it (the archive, the edit form), and elsewhere the *list mask*
  ``150203********1234`` (region, then sequence and check) with the birth date;
- every other role (social worker, partner, auditor, data officer) sees the *strict mask*
  ``150203************`` (the region only) and the child's **age instead of the birth date**.

Why the strict mask: an ID number is region (6) + birth date (8) + sequence (3, odd for a boy) +
check (1, computed from the 17 before it). Whoever knows the region (the place is shown anyway),
the birth date and the list mask's last four knows the whole number: the check digit is the last
one shown and the rest is given. With the strict mask and the age, the candidates are every day
of the year of birth that gives that age (365 or 366) times the 500 sequences of the child's sex
(the check digit follows): about 182,500, never fewer than 100 (a property test counts them,
tests/files/test_masking_bound.py). Showing the birth date to those roles would leave 500; showing
the last four digits with the age would leave about 33.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.core import facts
from huhang.core.roles import can

__all__ = [
    "Disclosure",
    "disclosure",
    "mask_account",
    "mask_id_number",
    "mask_id_strict",
    "mask_phone",
    "redact",
    "shown_birth",
    "shown_id",
]

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


def mask_id_strict(value: str | None) -> str:
    """ "150203201501011234" -> "150203************": only the region stays visible."""
    value = _compact(value)
    if len(value) < _MIN_ID_LENGTH_FOR_PARTS:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 6)


@dataclass(frozen=True)
class Disclosure:
    """What one role sees of a child's identity (see the module's docstring)."""

    full_id: bool  # the full number where a page shows it; the list mask elsewhere
    birth_date: bool  # the birth date; otherwise the age only


def disclosure(user) -> Disclosure:
    """The one decision: what `user` may see of a child's ID number and birth date."""
    full = can(user, "registry.full_id")
    return Disclosure(full_id=full, birth_date=full)


def shown_id(user, value: str | None, *, full: bool = False) -> str:
    """The ID number as `user` sees it: in full where the page shows full numbers (`full`) and
    the role may; the list mask for those roles elsewhere; the strict mask for every other."""
    if not value:
        return ""
    seen = disclosure(user)
    if not seen.full_id:
        return mask_id_strict(value)
    return _compact(value) if full else mask_id_number(value)


def shown_birth(user, birth: datetime.date | None, today: datetime.date | None = None) -> str:
    """The birth date as `user` sees it: the date (YYYY-MM-DD), or only the age ("9岁")."""
    if birth is None:
        return ""
    if disclosure(user).birth_date:
        return birth.isoformat()
    return _("%(a)s岁") % {"a": facts.age_on(birth, today or timezone.localdate())}


# A full or masked ID number inside a text (an audit event's label, its detail).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z*])[0-9]{6}[0-9*]{11}[0-9Xx*](?![0-9A-Za-z*])")


def redact(user, text: str) -> str:
    """`text` with every ID number in it (full or list-masked) as `user` may see it in a list."""
    if not text or disclosure(user).full_id:
        return text
    return _ID_IN_TEXT.sub(lambda m: mask_id_strict(m.group(0)), text)


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
