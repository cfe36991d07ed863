"""Linking feed rows to people of the population register (issue 3, part 2).

`link_people(con, as_of=...)` runs inside a screening: `con` holds the views `police` and
`education` (the latest snapshots, columns of `analytics/schema.py`). It creates the table
`links(batch, "row", id_number, match_probability, method)`: one row per education row that is
certainly a known person:

- method ``id``: the row carries its own ID number;
- method ``review``: a supervisor decided (a `LinkReview` with status linked) that the row is
  that person. Decisions are keyed by the feed row (batch + row) and, because every monthly
  snapshot numbers its rows afresh, also by the national student number (学籍号) kept in the
  review's `detail`, so a decision outlives the batch it was taken on;
- method ``splink``: a confident probabilistic link, made with Splink on DuckDB.

How the probabilistic part decides
----------------------------------
Only rows without an ID number (and without a decision) are linked. The register is first cut
down, in SQL, to the people who share a blocking key with one of those rows (same birth date;
or same normalised name and birth year), so that a register of a million people costs one hash
semi-join. Splink then scores the blocked pairs with fixed m/u probabilities (below: chosen, not
trained, so that results are deterministic, fast and stable on small feeds) on four comparisons:
normalised name (exact → same pinyin, i.e. a homophone typed by an input method → the same
characters in another order → one edit → else), birth date (exact → one character off or day/month swapped →
else), sex, and place (same community → same street → same district → else, across hukou and
residence codes).

Splink's pairwise probability ignores the competitors of a candidate. The row-level
probability we use (and store as `match_probability`) is the candidate's share of the evidence
among all candidates of the row, with the prior that the row's person is in the register at
all (`PRIOR_IN_REGISTER`)::

    odds_i = BF_i * PRIOR_IN_REGISTER / ((1 - PRIOR_IN_REGISTER) * N)     (N = people in register)
    p_i    = odds_i / (1 + sum_j odds_j)

A row links automatically only when its best candidate has p >= `AUTO_PROBABILITY`, is at least
`MIN_GAP_BITS` of match weight above the second, no other candidate has the same normalised
name and birth date (homonyms are never linked automatically, even when the supervisor has
already excluded one of them), and the two household registrations (户籍地) do not disagree
where both are given (issue 12: a student registered in another province is never linked to a
local child automatically, however well name, birth date, sex and residence agree: reason
"hukou"). Candidates with p >= `REVIEW_PROBABILITY` that do not pass go to
the review queue (`LinkOutcome.candidates`); below that a row has no candidate. A pair a
supervisor marked distinct is never proposed or linked again.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

from huhang.core import divisions, names

__all__ = [
    "AUTO_PROBABILITY",
    "MIN_GAP_BITS",
    "PRIOR_IN_REGISTER",
    "REVIEW_PROBABILITY",
    "LinkOutcome",
    "link_people",
]

# Thresholds (row-level probabilities, see the module docstring).
AUTO_PROBABILITY = 0.99
REVIEW_PROBABILITY = 0.30
MIN_GAP_BITS = 6.0
# Prior that a student without an ID number is in the district's population register at all
# (migrant children often are not).
PRIOR_IN_REGISTER = 0.9
# The m/u probabilities describe a district of about a million people. A smaller register (a
# test, a town's pilot) is still read as a sample of one: otherwise a register of six people
# would make anyone born on the same day a near-certain match.
MIN_REGISTER = 1_000_000

_P = "_lk_"  # prefix of the working tables, dropped at the end

LINKS_DDL = (
    'CREATE OR REPLACE TABLE links (batch BIGINT, "row" INTEGER, id_number VARCHAR, '
    "match_probability DOUBLE, method VARCHAR)"
)


@dataclass
class LinkOutcome:
    """What `link_people` could not decide, and how many rows went which way.

    `candidates`: one dict per uncertain education row: the row's facts (batch, row,
    student_number, name, sex, birth_date, school, hukou_code, residence_code), its best
    candidate (candidate_id_number, candidate_name, candidate_sex, candidate_birth_date,
    candidate_hukou_code, candidate_residence_code), match_probability, second_probability and
    reason ("homonym", "close_second" or "uncertain")."""

    candidates: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _level(sql: str, label: str, m: float, u: float, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    else:
        level["m_probability"] = m
        level["u_probability"] = u
    return level


def _comparisons() -> list[dict[str, Any]]:
    # u: how often two random people of a district agree so; m: how often the same person's two
    # records do, given the usual data-entry errors. Chosen from the structure of Chinese names
    # and dates; checked on the labelled set of linkage_eval.
    place_l = ("hukou_code_l", "residence_code_l")
    place_r = ("hukou_code_r", "residence_code_r")

    def same_place(level: int) -> str:
        """Either code of the one record shares the division of `level` with either of the
        other's (the code's first CODE_LENGTH[level] digits)."""
        n = divisions.CODE_LENGTH[level]
        return " OR ".join(f"left({a}, {n}) = left({b}, {n})" for a in place_l for b in place_r)

    return [
        {
            "output_column_name": "name",
            "comparison_levels": [
                _level("name_key_l IS NULL OR name_key_r IS NULL", "null", 0, 0, null=True),
                _level("name_key_l = name_key_r", "exact", 0.88, 1e-4),
                _level("pinyin_l = pinyin_r", "same pinyin", 0.05, 3e-4),
                _level(
                    "list_sort(string_split(name_key_l, '')) "
                    "= list_sort(string_split(name_key_r, ''))",
                    "same characters, other order",
                    0.01,
                    2e-5,
                ),
                _level(
                    "length(name_key_l) >= 2 AND damerau_levenshtein(name_key_l, name_key_r) <= 1",
                    "one edit",
                    0.05,
                    0.007,
                ),
                _level("ELSE", "else", 0.01, 0.99268),
            ],
        },
        {
            "output_column_name": "birth_date",
            "comparison_levels": [
                _level("birth_date_l IS NULL OR birth_date_r IS NULL", "null", 0, 0, null=True),
                _level("birth_date_l = birth_date_r", "exact", 0.95, 4e-5),
                _level(
                    "damerau_levenshtein(CAST(birth_date_l AS VARCHAR), "
                    "CAST(birth_date_r AS VARCHAR)) <= 1 OR strftime(birth_date_l, '%Y-%d-%m') "
                    "= CAST(birth_date_r AS VARCHAR)",
                    "one digit or day/month swapped",
                    0.04,
                    1.2e-3,
                ),
                _level("ELSE", "else", 0.01, 0.99876),
            ],
        },
        {
            "output_column_name": "sex",
            "comparison_levels": [
                _level("sex_l IS NULL OR sex_r IS NULL", "null", 0, 0, null=True),
                _level("sex_l = sex_r", "exact", 0.98, 0.5),
                _level("ELSE", "else", 0.02, 0.5),
            ],
        },
        {
            "output_column_name": "place",
            "comparison_levels": [
                _level(
                    "(hukou_code_l IS NULL AND residence_code_l IS NULL) "
                    "OR (hukou_code_r IS NULL AND residence_code_r IS NULL)",
                    "null",
                    0,
                    0,
                    null=True,
                ),
                _level(same_place(divisions.COMMUNITY), "same community", 0.75, 0.02),
                _level(same_place(divisions.STREET), "same street", 0.15, 0.1),
                _level(same_place(divisions.DISTRICT), "same district", 0.05, 0.75),
                _level("ELSE", "else", 0.05, 0.13),
            ],
        },
    ]


def _settings(pair_prior: float) -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": pair_prior,
        "comparisons": _comparisons(),
        "blocking_rules_to_generate_predictions": [
            "l.birth_date = r.birth_date",
            "l.name_key = r.name_key AND l.birth_year = r.birth_year",
        ],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
    }


def _decisions_table() -> pa.Table:
    """The supervisors' decisions (linked / distinct) from the OLTP database."""
    from huhang.screening.models import LinkReview, LinkStatus

    rows = list(
        LinkReview.objects.exclude(status=LinkStatus.OPEN)
        .order_by("resolved_at", "id")
        .values_list(
            "id", "batch_id", "row", "detail", "candidate_id_number", "status", "resolved_at"
        )
    )
    return pa.table(
        {
            "review_id": pa.array([r[0] for r in rows], pa.int64()),
            "batch": pa.array([r[1] for r in rows], pa.int64()),
            "row": pa.array([r[2] for r in rows], pa.int32()),
            "student_number": pa.array(
                [((r[3] or {}).get("student_number") or None) for r in rows], pa.string()
            ),
            "id_number": pa.array([r[4] for r in rows], pa.string()),
            "status": pa.array([r[5] for r in rows], pa.string()),
            "resolved_at": pa.array([r[6] for r in rows], pa.timestamp("us", tz="UTC")),
        }
    )


def _pinyin_map(con: duckdb.DuckDBPyConnection) -> None:
    """A table char → toneless pinyin for every character of the names to compare (a few
    thousand), so that pinyin is computed in SQL rather than per name in Python."""
    chars = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT unnest(string_split(name_key, '')) FROM "
            f"(SELECT name_key FROM {_P}left UNION ALL SELECT name_key FROM {_P}right) "
            "WHERE name_key IS NOT NULL"
        ).fetchall()
    ]
    readings = pa.table({"ch": chars, "py": [names.pinyin(c) for c in chars]})
    con.register(f"{_P}chars_arrow", readings)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_P}pinyin AS "
        f"SELECT map(list(ch), list(py)) AS pm FROM {_P}chars_arrow"
    )
    con.unregister(f"{_P}chars_arrow")
    for side in ("left", "right"):
        con.execute(
            # Splink needs the same columns on both sides: only those it compares.
            f"CREATE OR REPLACE TEMP TABLE {_P}{side}_in AS SELECT s.unique_id, s.name_key, "
            "s.sex, s.birth_date, s.birth_year, s.hukou_code, s.residence_code, "
            "array_to_string(list_transform(string_split(s.name_key, ''), "
            "lambda c: coalesce(m.pm[c], c)), '') AS pinyin "
            f"FROM {_P}{side} s, {_P}pinyin m"
        )


def _predict(con: duckdb.DuckDBPyConnection, register_size: int) -> None:
    """Score the blocked pairs with Splink into the table _lk_pairs."""
    from splink import DuckDBAPI, Linker

    odds = PRIOR_IN_REGISTER / ((1 - PRIOR_IN_REGISTER) * register_size)
    pair_prior = odds / (1 + odds)
    db_api = DuckDBAPI(connection=con)
    left = db_api.register(f"{_P}left_in", table_name=f"{_P}left_sdf")
    right = db_api.register(f"{_P}right_in", table_name=f"{_P}right_sdf")
    linker = Linker([left, right], _settings(pair_prior), log_level=logging.WARNING)
    # The lowest weight worth keeping: a candidate below it can neither be linked nor shown,
    # and cannot stop a better one (see MIN_GAP_BITS).
    scored = linker.inference.predict(
        threshold_match_weight=math.log2(_odds(REVIEW_PROBABILITY)) - MIN_GAP_BITS,
        warning_mode="never",
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_P}pairs AS SELECT unique_id_l AS left_id, "
        "unique_id_r AS id_number, match_weight, match_probability "
        f"FROM {scored.physical_name}"
    )
    db_api.delete_tables_created_by_splink_from_db()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    # fetchall, not fetchone: DuckDB refuses new work while a result is unfinished.
    return con.execute(sql).fetchall()[0][0]


def _odds(p: float) -> float:
    return p / (1 - p)


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_P}decisions AS SELECT * FROM {_P}decisions_arrow")
    # core.divisions.places_disagree in SQL.
    con.execute(f"CREATE OR REPLACE TEMP MACRO {_P}sig(c) AS {divisions.SIGNIFICANT_SQL}")
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO {_P}disagree(a, b) AS coalesce("
        f"NOT starts_with({_P}sig(a), {_P}sig(b)) AND NOT starts_with({_P}sig(b), {_P}sig(a)), "
        "false)"
    )
    con.execute(LINKS_DDL)
    # Rows with their own ID number.
    con.execute(
        "INSERT INTO links SELECT batch, \"row\", id_number, 1.0, 'id' FROM education "
        "WHERE nullif(trim(id_number), '') IS NOT NULL"
    )
    # Rows a supervisor linked (by batch + row, or by student number on a later snapshot); the
    # latest decision wins.
    con.execute(
        f"""
        INSERT INTO links
        SELECT e.batch, e."row", d.id_number, 1.0, 'review'
        FROM education e JOIN {_P}decisions d
          ON d.status = 'linked'
         AND ((d.batch = e.batch AND d."row" = e."row") OR d.student_number = e.student_number)
        WHERE nullif(trim(e.id_number), '') IS NULL
        QUALIFY row_number() OVER (
          PARTITION BY e.batch, e."row" ORDER BY d.resolved_at DESC, d.review_id DESC) = 1
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_P}left AS
        SELECT 'e' || e.batch || ':' || e."row" AS unique_id, e.batch, e."row",
               e.student_number, e.name, e.name_key, e.sex, e.birth_date,
               year(e.birth_date) AS birth_year, e.school,
               e.hukou_code, e.residence_code
        FROM education e ANTI JOIN links k ON k.batch = e.batch AND k."row" = e."row"
        """
    )
    _normalise_left(con)
    # The register, cut down to people sharing a blocking key with some row to link.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_P}right AS
        SELECT p.id_number AS unique_id, p.id_number, p.name, p.name_key, p.sex, p.birth_date,
               year(p.birth_date) AS birth_year, p.hukou_code, p.residence_code
        FROM police p
        WHERE p.birth_date IN (SELECT birth_date FROM {_P}left)
           OR (p.name_key, year(p.birth_date)) IN (SELECT (name_key, birth_year) FROM {_P}left)
        QUALIFY row_number() OVER (PARTITION BY p.id_number ORDER BY p.batch DESC, p."row") = 1
        """
    )


def _normalise_left(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the rows' name_key from the name with core.names (a few thousand names): the
    linkage must not depend on how carefully a snapshot was written."""
    raw = [r[0] for r in con.execute(f"SELECT DISTINCT name FROM {_P}left").fetchall()]
    keys = pa.table(
        {"name": raw, "key": [names.normalize(n) if n is not None else None for n in raw]}
    )
    con.register(f"{_P}keys_arrow", keys)
    con.execute(
        f"UPDATE {_P}left l SET name_key = k.key FROM {_P}keys_arrow k WHERE k.name = l.name"
    )
    con.unregister(f"{_P}keys_arrow")


def _rank(con: duckdb.DuckDBPyConnection) -> None:
    """Row-level probabilities, the second best and the homonym flag, into _lk_ranked."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_P}scored AS
        SELECT q.left_id, q.id_number, q.match_weight,
               -- Splink's weight includes its pair prior; put ours back.
               r.name_key AS cand_key, r.birth_date AS cand_birth,
               EXISTS (
                 SELECT 1 FROM {_P}decisions d JOIN {_P}left l ON l.unique_id = q.left_id
                 WHERE d.status = 'distinct' AND d.id_number = q.id_number
                   AND ((d.batch = l.batch AND d."row" = l."row")
                        OR d.student_number = l.student_number)
               ) AS distinct_pair
        FROM {_P}pairs q JOIN {_P}right r ON r.id_number = q.id_number
        """
    )
    # Splink's match_weight = log2(pair prior odds) + the comparisons' weights, and the pair prior
    # odds are our scale, so 2^match_weight is odds_i of the module docstring.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_P}ranked AS
        WITH c AS (
          SELECT *,
                 -- Homonyms: other candidates (distinct ones included) with the same normalised
                 -- name and birth date as this one.
                 count(*) OVER (PARTITION BY left_id, cand_key, cand_birth) - 1 AS homonyms
          FROM {_P}scored
        ), k AS (
          SELECT *, pow(2.0, match_weight) AS odds FROM c WHERE NOT distinct_pair
        ), n AS (
          SELECT *,
                 odds / (1 + sum(odds) OVER (PARTITION BY left_id)) AS p,
                 row_number() OVER (PARTITION BY left_id ORDER BY match_weight DESC, id_number)
                   AS rank
          FROM k
        )
        SELECT b.left_id, b.id_number, b.p, b.match_weight, b.homonyms,
               s.p AS second_p, s.match_weight AS second_weight
        FROM n b LEFT JOIN n s ON s.left_id = b.left_id AND s.rank = 2
        WHERE b.rank = 1
        """
    )


def link_people(con: duckdb.DuckDBPyConnection, *, as_of: date) -> LinkOutcome:
    """Create the table `links` in `con` (see the module docstring) and return the uncertain
    candidates. `as_of` is the screening date (kept for the caller's evidence; the register's
    latest snapshot is what is linked against)."""
    con.register(f"{_P}decisions_arrow", _decisions_table())
    try:
        _prepare(con)
        register_size = max(_scalar(con, "SELECT count(*) FROM police"), MIN_REGISTER)
        pending = _scalar(con, f"SELECT count(*) FROM {_P}left")
        candidates: list[dict[str, Any]] = []
        if pending and _scalar(con, f"SELECT count(*) FROM {_P}right"):
            _pinyin_map(con)
            _predict(con, register_size)
            _rank(con)
            con.execute(
                f"""
                INSERT INTO links
                SELECT l.batch, l."row", r.id_number, r.p, 'splink'
                FROM {_P}ranked r JOIN {_P}left l ON l.unique_id = r.left_id
                JOIN {_P}right p ON p.id_number = r.id_number
                WHERE r.p >= $auto AND r.homonyms = 0
                  AND (r.second_weight IS NULL OR r.match_weight - r.second_weight >= $gap)
                  AND NOT {_P}disagree(l.hukou_code, p.hukou_code)
                """,
                {"auto": AUTO_PROBABILITY, "gap": MIN_GAP_BITS},
            )
            candidates = _candidates(con)
        counts = dict(
            zip(
                ("id", "review", "splink"),
                con.execute(
                    "SELECT count(*) FILTER (method = 'id'), count(*) FILTER (method = 'review'), "
                    "count(*) FILTER (method = 'splink') FROM links"
                ).fetchall()[0],
                strict=True,
            )
        )
        counts["rows"] = _scalar(con, "SELECT count(*) FROM education")
        counts["uncertain"] = len(candidates)
        counts["unlinked"] = counts["rows"] - counts["id"] - counts["review"] - counts["splink"]
        return LinkOutcome(candidates=candidates, counts=counts)
    finally:
        con.unregister(f"{_P}decisions_arrow")
        for name in ("decisions", "left", "right", "left_in", "right_in", "pinyin", "pairs"):
            con.execute(f"DROP TABLE IF EXISTS {_P}{name}")
        con.execute(f"DROP TABLE IF EXISTS {_P}scored")
        con.execute(f"DROP TABLE IF EXISTS {_P}ranked")
        con.execute(f"DROP MACRO IF EXISTS {_P}disagree")
        con.execute(f"DROP MACRO IF EXISTS {_P}sig")


def _candidates(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cursor = con.execute(
        f"""
        SELECT l.batch, l."row", l.student_number, l.name, l.sex, l.birth_date, l.school,
               l.hukou_code, l.residence_code,
               p.id_number AS candidate_id_number, p.name AS candidate_name,
               p.sex AS candidate_sex, p.birth_date AS candidate_birth_date,
               p.hukou_code AS candidate_hukou_code,
               p.residence_code AS candidate_residence_code,
               r.p AS match_probability, r.second_p AS second_probability,
               CASE WHEN r.homonyms > 0 THEN 'homonym'
                    WHEN {_P}disagree(l.hukou_code, p.hukou_code) THEN 'hukou'
                    WHEN r.second_weight IS NOT NULL
                         AND r.match_weight - r.second_weight < $gap THEN 'close_second'
                    ELSE 'uncertain' END AS reason
        FROM {_P}ranked r
        JOIN {_P}left l ON l.unique_id = r.left_id
        JOIN {_P}right p ON p.id_number = r.id_number
        ANTI JOIN links k ON k.batch = l.batch AND k."row" = l."row"
        WHERE r.p >= $review
        ORDER BY l.batch, l."row"
        """,
        {"gap": MIN_GAP_BITS, "review": REVIEW_PROBABILITY},
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
