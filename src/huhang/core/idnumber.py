"""Citizen identity numbers (公民身份号码) as defined by GB 11643-1999.

Layout: 6-digit region, 8-digit birth date (YYYYMMDD), 3-digit sequence whose
parity gives the sex, and an ISO 7064 MOD 11-2 check character. Invalid input is
always reported, never repaired: a wrong number on a child's file is worse than
a refused form.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass

from huhang.core import facts

__all__ = [
    "IdNumber",
    "IdNumberError",
    "check_char",
    "is_valid",
    "make",
    "normalize",
    "parse",
    "validate",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# The checksum is computed on ASCII codes rather than digit values (much faster than
# int() per character); every code is its digit + 48, so this offset cancels that.
_ASCII_OFFSET = 48 * sum(_WEIGHTS)
_MIN_YEAR = 1900

# Full-width digits and Latin letters (U+FF10..U+FF5A) typed with a Chinese IME.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF5B) if chr(cp - 0xFEE0).isalnum()}

_SEX_ALIASES = {"M": "M", "F": "F", "男": "M", "女": "F"}


class IdNumberError(ValueError):
    """An invalid identity number; ``message`` is shown to the user as it is."""

    def __init__(self, code: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # Values a translated message needs (e.g. the expected check character).
        self.params = params


@dataclass(frozen=True, slots=True)
class IdNumber:
    value: str
    region: str
    birth_date: datetime.date
    sequence: str
    sex: str

    def __str__(self) -> str:
        return self.value

    def age_on(self, day: datetime.date) -> int:
        """Full years on ``day`` (core.facts.age_on: born on 29 February, a year older on the
        28th in common years)."""
        if day < self.birth_date:
            raise ValueError("date is before the birth date")
        return facts.age_on(self.birth_date, day)


def normalize(raw: str) -> str:
    """Undo what input methods do (surrounding spaces, full-width characters, a lower-case
    x); anything else stays as typed so that :func:`parse` can reject it."""
    value = raw.strip().translate(_FULL_WIDTH)
    if value.endswith("x"):
        value = value[:-1] + "X"
    return value


def _is_digits(text: str) -> bool:
    # str.isdigit() alone also accepts other scripts' digits and superscripts.
    return text.isascii() and text.isdigit()


def check_char(first17: str) -> str:
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError("check_char() needs exactly 17 ASCII digits")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    total = sum(map(operator.mul, first17.encode("ascii"), _WEIGHTS)) - _ASCII_OFFSET
    return _CHECK_CHARS[total % 11]


def parse(raw: str, *, today: datetime.date | None = None) -> IdNumber:
    value = normalize(raw)
    if len(value) != 18:
        raise IdNumberError("length", "公民身份号码应为18位")
    if not _is_digits(value[:17]) or not (_is_digits(value[17]) or value[17] == "X"):
        raise IdNumberError("chars", "公民身份号码前17位应为数字，最后一位应为数字或X")
    try:
        birth_date = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("birth_date", "出生日期无效") from None
    if birth_date.year < _MIN_YEAR:
        raise IdNumberError("birth_date", "出生日期无效")
    if today is not None and birth_date > today:
        raise IdNumberError("future", "出生日期晚于今天")
    expected = _check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError("checksum", f"校验码错误，应为{expected}", expected=expected)
    sequence = value[14:17]
    return IdNumber(
        value=value,
        region=value[:6],
        birth_date=birth_date,
        sequence=sequence,
        sex="M" if int(sequence[2]) % 2 else "F",
    )


def validate(
    raw: str,
    *,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
    today: datetime.date | None = None,
) -> IdNumber:
    """Parse ``raw`` and require it to agree with the birth date and sex recorded elsewhere."""
    number = parse(raw, today=today)
    if birth_date is not None:
        # A datetime never compares equal to a date, which would report a false mismatch.
        if isinstance(birth_date, datetime.datetime):
            birth_date = birth_date.date()
        if birth_date != number.birth_date:
            raise IdNumberError("birth_mismatch", "出生日期与公民身份号码不符")
    if sex:
        wanted = _SEX_ALIASES.get(sex.strip().upper())
        if wanted is None:
            raise ValueError(f"unknown sex {sex!r}; expected 'M', 'F', '男' or '女'")
        if wanted != number.sex:
            raise IdNumberError("sex", "性别与公民身份号码不符")
    return number


def make(region: str, birth_date: datetime.date, sequence: int) -> str:
    """Build a valid number; used by the synthetic data generator, so it stays cheap."""
    if len(region) != 6 or not _is_digits(region):
        raise ValueError("region must be 6 ASCII digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be in 0..999")
    if birth_date.year < _MIN_YEAR:
        raise ValueError("birth year must be 1900 or later")
    first17 = (
        f"{region}{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}{sequence:03d}"
    )
    return first17 + _check_char(first17)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except IdNumberError:
        return False
    return True
