"""Domain facts: the age arithmetic every app reads from core.facts, and months in core.dates."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from huhang.core import facts
from huhang.core.dates import month_start, this_month

days = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))


@given(birth=days, day=days, years=st.integers(min_value=0, max_value=40))
def test_latest_birth_is_the_inverse_of_age_on(birth, day, years):
    assert (facts.age_on(birth, day) >= years) == (birth <= facts.latest_birth(day, years))


def test_latest_birth_on_29_february():
    assert facts.latest_birth(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert facts.latest_birth(date(2028, 2, 29), 4) == date(2024, 2, 29)
    # On the 28th of a common year, those born on 29 February have their birthday.
    assert facts.latest_birth(date(2027, 2, 28), 3) == date(2024, 2, 29)
    assert facts.latest_birth(date(2028, 2, 28), 4) == date(2024, 2, 28)


def test_born_on_29_february_a_year_older_on_the_28th_in_common_years():
    # 民法典 Art. 202: a period of years with no corresponding day ends on the month's end; the
    # screening rules' SQL counts the same way (tests/screening/test_rules_endings.py).
    born = date(2008, 2, 29)
    assert facts.age_on(born, date(2026, 2, 27)) == 17
    assert facts.age_on(born, date(2026, 2, 28)) == 18
    assert facts.adult_on(born) == date(2026, 2, 28)
    assert facts.birthday(born, 16) == date(2024, 2, 29)
    assert facts.age_on(born, date(2024, 2, 28)) == 15


def test_months_are_kept_as_their_first_day(time_machine):
    time_machine.move_to(date(2026, 3, 17))
    assert month_start(date(2026, 2, 28)) == date(2026, 2, 1)
    assert this_month() == date(2026, 3, 1)
    assert this_month(date(2025, 12, 31)) == date(2025, 12, 1)
