"""The 6-month boundaries: a term of exactly 6 months (both ends counted) counts, one day less does
not; lost contact
counts from 6 months after the police accepted the report, not one day before — across month
ends and leap years."""

from __future__ import annotations

from datetime import date

import pytest

from tests.screening.conftest import family, leads_of, run_rules


def _term(feeds, start: date, end: date | None, measure: str = "imprisoned") -> dict:
    fam = feeds.family(family())
    feeds.add("justice", {"name": "父", "id_number": fam["father"]["id_number"],
                          "measure": measure, "start_date": start, "end_date": end})  # fmt: skip
    feeds.add("disability", {"name": "母", "id_number": fam["mother"]["id_number"],
                             "disability_kind": "mental", "level": 3,
                             "issued_on": date(2020, 1, 1)})  # fmt: skip
    feeds.commit()
    return fam


@pytest.mark.parametrize(
    ("start", "end", "as_of", "counts"),
    [
        # 31 August + 6 months is the last day of February.
        (date(2025, 8, 31), date(2026, 2, 28), date(2026, 2, 1), True),
        (date(2025, 8, 31), date(2026, 2, 27), date(2026, 2, 1), False),
        # In a leap year that is 29 February.
        # Both ends counted (民法典 201/202): 29 August to 28 February is six months.
        (date(2023, 8, 29), date(2024, 2, 28), date(2024, 1, 1), True),
        (date(2023, 8, 29), date(2024, 2, 27), date(2024, 1, 1), False),
        (date(2023, 8, 31), date(2024, 2, 29), date(2024, 1, 1), True),
        # An ordinary month.
        (date(2025, 3, 15), date(2025, 9, 14), date(2025, 6, 1), True),
        (date(2025, 3, 15), date(2025, 9, 13), date(2025, 6, 1), False),
        # Open-ended counts.
        (date(2026, 2, 20), None, date(2026, 3, 1), True),
    ],
)
@pytest.mark.parametrize("measure", ["imprisoned", "drug_rehab", "liberty_restricted"])
def test_term_of_six_months(feeds, start, end, as_of, counts, measure):
    fam = _term(feeds, start, end, measure)
    assert ("dfuc" in leads_of(run_rules(as_of=as_of), fam["child"])) is counts


def test_a_term_over_on_the_date_no_longer_counts(feeds):
    fam = _term(feeds, date(2025, 1, 1), date(2026, 2, 28))
    assert "dfuc" in leads_of(run_rules(as_of=date(2026, 2, 28)), fam["child"])
    assert "dfuc" not in leads_of(run_rules(as_of=date(2026, 3, 1)), fam["child"])


@pytest.mark.parametrize(
    ("reported", "as_of", "counts"),
    [
        (date(2025, 8, 31), date(2026, 2, 28), True),
        (date(2025, 8, 31), date(2026, 2, 27), False),
        (date(2023, 8, 31), date(2024, 2, 29), True),
        (date(2023, 8, 31), date(2024, 2, 28), False),
        (date(2025, 9, 10), date(2026, 3, 10), True),
        (date(2025, 9, 10), date(2026, 3, 9), False),
    ],
)
def test_lost_contact_six_months_after_the_report(feeds, reported, as_of, counts):
    fam = family(child_birth=date(2015, 6, 1))
    lost = {**fam["father"], "status": "lost_contact", "status_date": reported}
    dead = {**fam["mother"], "status": "dead", "status_date": date(2020, 1, 1)}
    feeds.add("police", lost, dead, fam["child"])
    feeds.commit()
    assert ("dfuc" in leads_of(run_rules(as_of=as_of), fam["child"])) is counts


def test_lost_contact_without_a_report_date_does_not_count(feeds):
    fam = family()
    lost = {**fam["father"], "status": "lost_contact", "status_date": None}
    dead = {**fam["mother"], "status": "dead", "status_date": date(2020, 1, 1)}
    feeds.add("police", lost, dead, fam["child"])
    feeds.commit()
    assert leads_of(run_rules(), fam["child"]) == {}
