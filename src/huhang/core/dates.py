"""Calendar arithmetic the domain needs (month steps that land on real days)."""

from __future__ import annotations

import calendar
from datetime import date

from django.utils import timezone


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_start(day: date) -> date:
    """The first day of the day's month (months are kept as their first day)."""
    return day.replace(day=1)


def this_month(today: date | None = None) -> date:
    """The first day of the current month (of `today`, when given)."""
    return month_start(today or timezone.localdate())
