"""core.divisions.places_disagree: two 户籍地 codes disagree only when both are given and
neither lies within the other (issue 12); the SQL macro of the linker says the same."""

from __future__ import annotations

import duckdb
import pytest

from huhang.core.divisions import SIGNIFICANT_SQL, places_disagree, significant

CASES = [
    ("150203005001", "150203005001", False),
    ("150203005001", "150203005002", True),
    ("150203005001", "130102001001", True),  # another province
    ("150203000000", "150203005001", False),  # the district contains the community
    ("150203005", "150203005001", False),
    ("150200000000", "150203005001", False),
    ("150200000000", "150300000000", True),
    ("", "150203005001", False),
    (None, "150203005001", False),
]


@pytest.mark.parametrize(("a", "b", "expected"), CASES)
def test_places_disagree(a, b, expected):
    assert places_disagree(a, b) is expected
    assert places_disagree(b, a) is expected


@pytest.mark.parametrize(
    "code", ["150203000000", "150200000000", "150203005001", "150203005000", "15", "150203", ""]
)
def test_the_sql_macro_matches_python(code):
    con = duckdb.connect()
    con.execute(f"CREATE TEMP MACRO sig(c) AS {SIGNIFICANT_SQL}")
    assert (con.execute("SELECT sig(?)", [code]).fetchall()[0][0] or "") == significant(code)
