"""Masking that cannot be undone (issue 11, part 2): for every role without the right to full ID
numbers, what it is shown of a child — the masked number, the birth date or age, the sex, the
place (its region) — leaves at least 100 ID numbers that fit. The candidates are counted from
what core.masking actually returns, for random valid numbers."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from huhang.core import facts, idnumber, masking
from huhang.core.roles import CAPABILITIES, Role

BOUND = 100
WITHOUT_FULL_ID = sorted(set(Role) - CAPABILITIES["registry.full_id"])
WITH_FULL_ID = sorted(CAPABILITIES["registry.full_id"])


def _user(role: str) -> SimpleNamespace:
    return SimpleNamespace(is_authenticated=True, role=role)


def _days_shown(birth_text: str, today: datetime.date) -> list[datetime.date]:
    """The birth dates consistent with what is shown: the date itself, or every day that gives
    the age shown on `today`."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", birth_text):
        return [datetime.date.fromisoformat(birth_text)]
    age = int(re.match(r"\d+", birth_text).group(0))
    latest = (
        today.replace(year=today.year - age)
        if (today.month, today.day) != (2, 29)
        else (today.replace(year=today.year - age, day=28))
    )
    days = (latest - datetime.timedelta(days=d) for d in range(0, 370))
    return [d for d in days if facts.age_on(d, today) == age]


def candidates(masked: str, birth_text: str, sex: str, region: str, today) -> int:
    """How many valid ID numbers agree with everything shown."""
    visible = {i: ch for i, ch in enumerate(masked) if ch != "*"}
    assert all(masked[i] == region[i] for i in range(6) if i in visible)
    parity = 1 if sex == "M" else 0
    sequences = [
        text
        for text in (f"{seq:03d}" for seq in range(parity, 1000, 2))
        if all(visible.get(14 + i, ch) == ch for i, ch in enumerate(text))
    ]
    count = 0
    for day in _days_shown(birth_text, today):
        digits = f"{day:%Y%m%d}"
        if any(visible.get(6 + i, ch) != ch for i, ch in enumerate(digits)):
            continue
        if 17 not in visible:  # the check character follows from the rest: one each
            count += len(sequences)
            continue
        count += sum(idnumber.check_char(region + digits + t) == visible[17] for t in sequences)
    return count


REGIONS = st.sampled_from(["150203", "150204", "110105", "440305", "650102"])
TODAY = st.dates(datetime.date(2025, 1, 1), datetime.date(2030, 12, 31))


@given(
    region=REGIONS,
    today=TODAY,
    age_days=st.integers(0, 18 * 366),
    sequence=st.integers(0, 999),
    role=st.sampled_from(WITHOUT_FULL_ID),
)
def test_no_role_without_full_id_narrows_a_number_below_100(
    region, today, age_days, sequence, role
):
    birth = today - datetime.timedelta(days=age_days)
    number = idnumber.make(region, birth, sequence)
    user = _user(role)
    masked = masking.shown_id(user, number)
    birth_text = masking.shown_birth(user, birth, today)
    sex = "M" if sequence % 2 else "F"
    assert candidates(masked, birth_text, sex, region, today) >= BOUND
    # What the audit log shows such a role of a stored label is no more than that.
    label = f"王小海 {masking.mask_id_number(number)} {number}"
    shown = masking.redact(user, label)
    assert number not in shown and masking.mask_id_number(number) not in shown
    assert masked in shown


@given(region=REGIONS, today=TODAY, age_days=st.integers(0, 18 * 366), sequence=st.integers(0, 999))
def test_the_count_is_honest_the_list_mask_with_a_birth_date_gives_the_number_away(
    region, today, age_days, sequence
):
    """The counter is not blind: what full-ID roles see in lists (region, last four, birth
    date) fits one number only — which is why no other role is shown it."""
    birth = today - datetime.timedelta(days=age_days)
    number = idnumber.make(region, birth, sequence)
    user = _user(WITH_FULL_ID[0])
    masked = masking.shown_id(user, number)
    assert masked == masking.mask_id_number(number)
    birth_text = masking.shown_birth(user, birth, today)
    sex = "M" if sequence % 2 else "F"
    assert candidates(masked, birth_text, sex, region, today) == 1
    assert masking.shown_id(user, number, full=True) == number


def test_roles_without_full_id_see_no_birth_date():
    for role in WITHOUT_FULL_ID:
        assert masking.disclosure(_user(role)) == masking.Disclosure(False, False)
        assert (
            masking.shown_birth(_user(role), datetime.date(2015, 6, 1), datetime.date(2026, 3, 1))
            == "10岁"
        )
    assert masking.disclosure(SimpleNamespace(is_authenticated=False)).full_id is False
