"""Reporting periods: calendar months and half-years (上半年 1 Jan–30 Jun, 下半年 1 Jul–31 Dec).

A period is a pair of days, both inclusive, in Beijing time; moments (approvals, leads raised)
are compared with the period's first instant and the first instant after it, in Asia/Shanghai,
whatever the server's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from huhang.core.dates import add_months

SHANGHAI = ZoneInfo("Asia/Shanghai")
_HALF = re.compile(r"^\s*(\d{4})\s*-?\s*[Hh]\s*([12])\s*$")


@dataclass(frozen=True)
class Period:
    start: date  # first day
    end: date  # last day (inclusive)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=SHANGHAI)

    @property
    def end_before(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class HalfYear(Period):
    year: int = 0
    half: int = 1

    @classmethod
    def of(cls, year: int, half: int) -> HalfYear:
        if half not in (1, 2):
            raise ValueError(f"half must be 1 or 2, not {half!r}")
        if half == 1:
            return cls(date(year, 1, 1), date(year, 6, 30), year, 1)
        return cls(date(year, 7, 1), date(year, 12, 31), year, 2)

    @classmethod
    def containing(cls, day: date) -> HalfYear:
        return cls.of(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str) -> HalfYear:
        """ "2026H1" / "2026-h2" → the half-year; ValueError otherwise."""
        match = _HALF.match(text or "")
        if not match:
            raise ValueError(f"not a half-year: {text!r}")
        return cls.of(int(match[1]), int(match[2]))

    @property
    def key(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def label(self) -> str:
        if self.half == 1:
            return _("%(year)s年上半年") % {"year": self.year}
        return _("%(year)s年下半年") % {"year": self.year}

    def previous(self) -> HalfYear:
        return HalfYear.of(self.year - 1, 2) if self.half == 1 else HalfYear.of(self.year, 1)

    def next(self) -> HalfYear:
        return HalfYear.of(self.year, 2) if self.half == 1 else HalfYear.of(self.year + 1, 1)


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, add_months(first, 1) - timedelta(days=1))


def last_months(day: date, count: int) -> list[date]:
    """First days of the `count` months ending with the month of `day`, oldest first."""
    first = day.replace(day=1)
    return [add_months(first, -k) for k in range(count - 1, -1, -1)]
