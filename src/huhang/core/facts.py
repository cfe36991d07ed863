"""Domain facts with one home each: the ages the law draws lines at, the school year, and the
arithmetic of ages. Every app reads them from here instead of spelling them again.

Sources: 民法典 Art. 17 (18 is adulthood), 国发〔2016〕13号 (留守儿童: under 16), the 福彩圆梦·孤儿助学
rules (a school year starts in September).
"""

from __future__ import annotations

import calendar
from datetime import date

ADULT_AGE = 18  # 未成年人: under 18 (民法典 Art. 17)
LEFT_BEHIND_AGE = 16  # 留守儿童: under 16 (国发〔2016〕13号)
SCHOOL_YEAR_START_MONTH = 9  # a school year runs from 1 September


def anniversary(birth: date, year: int) -> date:
    """The birth date's day in `year`: born 29 February, the 28th in a common year — the month's
    end, as 民法典 Art. 202 ends a period of years that has no corresponding day (the screening
    rules' SQL counts the same way)."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def age_on(birth: date, day: date) -> int:
    """Completed years of age on `day` (a birthday counts from its own day)."""
    return day.year - birth.year - (day < anniversary(birth, day.year))


def birthday(birth: date, years: int) -> date:
    """The first day on which `age_on` gives `years` (born 29 February: the 28th in a common
    year)."""
    return anniversary(birth, birth.year + years)


def latest_birth(day: date, years: int) -> date:
    """The latest birth date of someone at least `years` old on `day`: `age_on(b, day) >= years`
    exactly when `b <= latest_birth(day, years)`. On 28 February of a common year that is 29
    February where the year of birth has one; on 29 February, the 28th of a common year."""
    year = day.year - years
    if (day.month, day.day) == (2, 28) and calendar.isleap(year) and not calendar.isleap(day.year):
        return date(year, 2, 29)
    return anniversary(day, year)


def adult_on(birth: date) -> date:
    """The 18th birthday: the first day as an adult."""
    return birthday(birth, ADULT_AGE)


def school_year_start(day: date) -> date:
    """1 September of the school year the day falls in."""
    year = day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1
    return date(year, SCHOOL_YEAR_START_MONTH, 1)
