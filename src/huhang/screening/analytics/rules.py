"""The screening rules (精准排查), written once as SQL and run by DuckDB as is and by Spark after
`sqlglot.transpile(read="duckdb", write="spark")` (see `engines.py`).

Read this module against DOMAIN.md ("Children's protection categories"): each rule below quotes
the line it implements. The inputs are the views

    police, justice, court, disability, health, assistance, education   (schema.py's snapshots)
    links       (batch, "row", id_number, ...): education rows linked to a person
    registry    (child_id, person_key, id_number, name, sex, birth_date, division_code, category):
                the active children of the registry, one row per category they hold (candidate,
                verified or approved; NULL when none)
    divisions   (code, current): the division tree, and the codes a 区划调整 retired, each with
                the code of the division that stands for it now (its own for a live one)

and the rules are evaluated as of a date (`@as_of`) for the installation's root division
(`@root`). The result has two parts: `leads` (one row per kind, person and category, routed to a
community) and `evidence` (one row per fact a lead rests on: which feed, batch and row, which
dates). `finalise` turns them into one table with the evidence as JSON and the fingerprint.

Dates. Every end date is the last day a situation holds (有效期至, 终止日期 inclusive); a blank
end date means open-ended. A parent's situation counts on day D when it started on or before D
(for lost contact: 6 months after the police accepted the report) and has not ended before D.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from huhang.core import facts

# --- Parameters (DOMAIN.md) --------------------------------------------------------------------

# 服刑在押 / 强制隔离戒毒 / 其他限制人身自由 "each for a term of 6 months or more".
TERM_MONTHS = 6
# 失联 "no contact and no care for 6 months or more, counted from the day the police accepted
# the report".
LOST_CONTACT_MONTHS = 6
# A child is "under 18"; 留守儿童 "under 16"; 孤儿助学 "aged 18+".
ADULT_YEARS = facts.ADULT_AGE
LEFT_BEHIND_UNDER_YEARS = facts.LEFT_BEHIND_AGE


@dataclass(frozen=True)
class Options:
    """The open questions of the law, decided per installation (settings.py, docs/rules.md
    "Settings"); bound into the SQL as literals by `bind`."""

    # The 18th (and 16th) birthday is itself the first day of the new age (民法典 Art. 17 read
    # with facts.adult_on); False: the day after the birthday (周岁 "从周岁生日的第二天起算").
    ends_on_birthday: bool = True
    # Students of 18+ in full-time study keep the basic allowance until they leave school.
    students_keep_allowance: bool = False
    # An open-ended measure counts once it has lasted this many months (0: from its first day).
    open_detention_months: int = 0
    # 福彩圆梦·孤儿助学 for DFUC students by local rule.
    scholarship_dfuc: bool = True

    @classmethod
    def from_settings(cls) -> Options:
        from django.conf import settings

        return cls(
            ends_on_birthday=settings.HUHANG_PROTECTION_ENDS_ON_18TH_BIRTHDAY,
            students_keep_allowance=settings.HUHANG_STUDENTS_KEEP_ALLOWANCE,
            open_detention_months=settings.HUHANG_OPEN_DETENTION_MONTHS,
            scholarship_dfuc=settings.HUHANG_SCHOLARSHIP_DFUC,
        )

    def literals(self) -> dict[str, str]:
        return {
            "@age_shift_days": "0" if self.ends_on_birthday else "1",
            "@keep_students": "TRUE" if self.students_keep_allowance else "FALSE",
            "@open_months": str(int(self.open_detention_months)),
            "@scholarship_dfuc": "TRUE" if self.scholarship_dfuc else "FALSE",
        }


# The columns of one evidence item, the same in every rule.
EVIDENCE_COLUMNS = (
    "source",
    "batch",
    "row",
    "fact",
    "subject",
    "detail",
    "on_date",
    "until_date",
)
_EVIDENCE = 'source, batch, "row", fact, subject, detail, on_date, until_date'


# --- The parents' situations, as a table -------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """One situation of a person, found in one feed.

    `gone` marks the death class (dead, declared dead, declared missing: DOMAIN.md's 孤儿 line and
    DFUC clause (b)); the others are the eight DFUC situations."""

    code: str  # registry.models.SituationKind
    gone: bool
    source: str
    where: str  # which rows of the source say so
    started: str  # the day it started (shown as evidence)
    ended: str = "NULL"  # its last day, NULL = open-ended
    counts_from: str | None = None  # the first day it counts (default: started)
    detail: str = "NULL"
    child: str = "NULL"  # the child a judgment names, where it names one


def months_complete(start: str, months: int | str) -> str:
    """SQL: the last day of a term of `months` months whose first day is `start` (both counted).

    民法典 Art. 201: a period in months starts counting the day after the event, so a term whose
    first day is D runs as a period "from" D - 1; Art. 202: it ends on the corresponding day of
    the last month, or that month's last day when it has no corresponding day. D - 1 is the last
    day of a month exactly when D is the 1st: its corresponding day is the last month's end
    (自6月1日起至11月30日止 is six months). Examples (6 months): 2026-06-01 → 2026-11-30,
    2025-03-15 → 2025-09-14, 2025-08-31 → 2026-02-28, 2023-08-29 → 2024-02-28."""
    return (
        f"CAST(CASE WHEN EXTRACT(DAY FROM {start}) = 1 "
        f"THEN {start} + INTERVAL {months} MONTH - INTERVAL 1 DAY "
        f"ELSE ({start} - INTERVAL 1 DAY) + INTERVAL {months} MONTH END AS DATE)"
    )


# "for a term of 6 months or more": the written term, both ends counted, reaches the last day of
# six months (or has no end: open-ended).
_TERM = f"(end_date IS NULL OR end_date >= {months_complete('start_date', TERM_MONTHS)})"
# An open-ended measure (pre-trial detention) counts from its first day, or — Options.
# open_detention_months — from the day it has lasted that many months (counted as a term).
_OPEN_COUNTS_FROM = (
    "CASE WHEN end_date IS NULL AND @open_months > 0 "
    f"THEN {months_complete('start_date', '@open_months')} ELSE start_date END"
)

SITUATIONS: tuple[Situation, ...] = (
    # 孤儿: "both parents dead (natural death, or declared dead by a court 宣告死亡) or declared
    # missing by a court (宣告失踪)".
    Situation("dead", True, "police", "status = 'dead'", "status_date"),
    Situation(
        "declared_dead",
        True,
        "court",
        "judgment = 'declared_dead'",
        "judgment_date",
        detail="case_number",
    ),
    Situation(
        "declared_missing",
        True,
        "court",
        "judgment = 'declared_missing'",
        "judgment_date",
        detail="case_number",
    ),
    # 1. 重残: "disability level 1–2 of any kind, or level 3–4 of intellectual (智力) or mental
    # (精神) disability".
    Situation(
        "severe_disability",
        False,
        "disability",
        "level <= 2 OR (level <= 4 AND disability_kind IN ('intellectual', 'mental'))",
        "issued_on",
        ended="valid_until",
        detail="disability_kind || ' ' || CAST(level AS VARCHAR)",
    ),
    # 2. 重病: "on the local serious-illness list" (the health feed is that list).
    Situation(
        "serious_illness",
        False,
        "health",
        "TRUE",
        "recognised_on",
        ended="end_date",
        detail="disease",
    ),
    # 3.–5. 服刑在押, 强制隔离戒毒, 其他限制人身自由: "each for a term of 6 months or more"
    # (open-ended counts).
    Situation(
        "imprisoned",
        False,
        "justice",
        f"measure = 'imprisoned' AND {_TERM}",
        "start_date",
        ended="end_date",
        counts_from=_OPEN_COUNTS_FROM,
        detail="agency",
    ),
    Situation(
        "drug_rehab",
        False,
        "justice",
        f"measure = 'drug_rehab' AND {_TERM}",
        "start_date",
        ended="end_date",
        counts_from=_OPEN_COUNTS_FROM,
        detail="agency",
    ),
    Situation(
        "liberty_restricted",
        False,
        "justice",
        f"measure = 'liberty_restricted' AND {_TERM}",
        "start_date",
        ended="end_date",
        counts_from=_OPEN_COUNTS_FROM,
        detail="agency",
    ),
    # 6. 失联: "6 months or more, counted from the day the police accepted the report".
    Situation(
        "lost_contact",
        False,
        "police",
        "status = 'lost_contact' AND status_date IS NOT NULL",
        "status_date",
        counts_from=f"status_date + INTERVAL {LOST_CONTACT_MONTHS} MONTH",
    ),
    # 7. 被撤销监护资格 by a court (for the child the judgment names, or any child if none).
    Situation(
        "guardianship_revoked",
        False,
        "court",
        "judgment = 'guardianship_revoked'",
        "judgment_date",
        detail="case_number",
        child="child_id",
    ),
    # 8. 被遣送(驱逐)出境.
    Situation("deported", False, "police", "status = 'deported'", "status_date"),
)


def _situation_sql(s: Situation) -> str:
    return f"""
    SELECT id_number, '{s.code}' AS situation, {"TRUE" if s.gone else "FALSE"} AS gone,
           '{s.source}' AS source, batch, "row", CAST({s.detail} AS VARCHAR) AS detail,
           CAST({s.started} AS DATE) AS started, CAST({s.ended} AS DATE) AS ended,
           CAST({s.counts_from or s.started} AS DATE) AS counts_from,
           CAST({s.child} AS VARCHAR) AS child_id
    FROM {s.source} WHERE id_number IS NOT NULL AND ({s.where})"""


# --- The steps: named queries, each over the inputs and the steps before it -------------------


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    # Materialised (a table, or a cached DataFrame) when later steps read it more than once.
    materialise: bool = False


def _active_on(day: str, alias: str = "f") -> str:
    """A situation counts on `day` (see the module's note on dates)."""
    return (
        f"COALESCE({alias}.counts_from, DATE '1900-01-01') <= {day} "
        f"AND ({alias}.ended IS NULL OR {alias}.ended >= {day})"
    )


_IN_DISTRICT = "LIKE '@root%'"
# 福彩圆梦·孤儿助学 (2025): full-time study at a 普通高中, a 中等职业学校 or a 普通高校.
_SCHOLARSHIP_STAGES = "('senior', 'vocational', 'higher')"


def _birthday(birth: str, years: int) -> str:
    """SQL: the first day of age `years` — the birthday (born 29 February: 28 February of a common
    year, the month's end, 民法典 Art. 202), or the day after it when the installation counts
    周岁 from the day after the birthday (`Options.ends_on_birthday` off)."""
    return f"CAST({birth} + INTERVAL {years} YEAR + INTERVAL @age_shift_days DAY AS DATE)"


STEPS: tuple[Step, ...] = (
    # Education rows with the person they belong to: the linked ID number, else the student number.
    Step(
        "students",
        """
        SELECT e.*, COALESCE(l.id_number, 'edu:' || e.student_number) AS person_key,
               l.id_number AS linked_id
        FROM education e
        LEFT JOIN (SELECT batch, "row", MIN(id_number) AS id_number FROM links
                   GROUP BY batch, "row") l
          ON l.batch = e.batch AND l."row" = e."row"
        """,
        materialise=True,
    ),
    # The people the rules are about: from the population register, the children (under 18 on
    # the date), the students and the registry's children; plus the students it does not list.
    # (Adults who are only parents are read from `police` directly: no need to copy a million
    # rows.)
    Step(
        "people",
        f"""
        SELECT person_key, id_number, name, sex, birth_date, hukou_code, residence_code,
               father_id, mother_id, status, status_date, source, batch, "row",
               {_birthday("birth_date", ADULT_YEARS)} AS adult_on,
               {_birthday("birth_date", LEFT_BEHIND_UNDER_YEARS)} AS sixteen_on
        FROM (
            SELECT p.id_number AS person_key, p.id_number, p.name, p.sex, p.birth_date,
                   p.hukou_code, p.residence_code, p.father_id, p.mother_id, p.status,
                   p.status_date, 'police' AS source, p.batch, p."row"
            FROM police p
            LEFT JOIN (SELECT linked_id AS id FROM students WHERE linked_id IS NOT NULL
                       UNION SELECT person_key FROM registry) k ON k.id = p.id_number
            WHERE p.birth_date > CAST(@as_of - INTERVAL {ADULT_YEARS + 1} YEAR AS DATE)
               OR k.id IS NOT NULL
            UNION ALL
            SELECT person_key, linked_id, name, sex, birth_date, hukou_code, residence_code,
                   CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR),
                   CAST(NULL AS DATE), 'education', batch, "row"
            FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY person_key
                                                 ORDER BY batch, "row") AS n
                  FROM students s
                  WHERE NOT EXISTS (SELECT 1 FROM police p WHERE p.id_number = s.person_key)) s
            WHERE n = 1
        ) u
        """,
        materialise=True,
    ),
    # Every situation of every person, from the table above.
    Step(
        "situations",
        " UNION ALL ".join(_situation_sql(s) for s in SITUATIONS),
        materialise=True,
    ),
    # "Parents come from police father_id/mother_id of the child."
    Step(
        "parents",
        """
        SELECT person_key, id_number AS child_id_number, 'father' AS role, father_id AS parent_id
        FROM people WHERE father_id IS NOT NULL
        UNION ALL
        SELECT person_key, id_number, 'mother', mother_id FROM people WHERE mother_id IS NOT NULL
        """,
    ),
    # The day each person's family is judged on: today for children; for 18+ students in
    # full-time study (普通高中, 中职, 普通高校: the 2025 rule), the eve of their 18th birthday
    # ("recognised as an orphan before 18 — a parent who died after the 18th birthday does not
    # count").
    Step(
        "judged",
        f"""
        SELECT person_key, 'now' AS purpose, @as_of AS day FROM people WHERE adult_on > @as_of
        UNION ALL
        SELECT p.person_key, 'eve18', CAST(p.adult_on - INTERVAL 1 DAY AS DATE)
        FROM people p
        WHERE p.adult_on <= @as_of
          AND EXISTS (SELECT 1 FROM students s WHERE s.person_key = p.person_key
                      AND s.stage IN {_SCHOLARSHIP_STAGES} AND s.full_time)
        """,
    ),
    # The parents' situations that count on that day.
    Step(
        "parent_situations",
        f"""
        SELECT j.person_key, j.purpose, pa.role, f.situation, f.gone, f.source, f.batch,
               f."row", f.detail, f.started, f.ended
        FROM judged j
        JOIN parents pa ON pa.person_key = j.person_key
        JOIN situations f ON f.id_number = pa.parent_id
        WHERE {_active_on("j.day")}
          AND (f.child_id IS NULL OR f.child_id = pa.child_id_number)
        """,
        materialise=True,
    ),
    # 孤儿 and 事实无人抚养儿童, per child and day.
    Step(
        "families",
        """
        SELECT person_key, purpose, father_gone, father_eight, mother_gone, mother_eight,
               CASE WHEN father_gone = 1 AND mother_gone = 1 THEN 1 ELSE 0 END AS orphan,
               CASE WHEN NOT (father_gone = 1 AND mother_gone = 1)
                     AND ((father_eight = 1 AND mother_eight = 1)
                          OR (father_gone = 1 AND mother_eight = 1)
                          OR (mother_gone = 1 AND father_eight = 1))
                    THEN 1 ELSE 0 END AS dfuc
        FROM (
            SELECT person_key, purpose,
                   MAX(CASE WHEN role = 'father' AND gone THEN 1 ELSE 0 END) AS father_gone,
                   MAX(CASE WHEN role = 'father' AND NOT gone THEN 1 ELSE 0 END) AS father_eight,
                   MAX(CASE WHEN role = 'mother' AND gone THEN 1 ELSE 0 END) AS mother_gone,
                   MAX(CASE WHEN role = 'mother' AND NOT gone THEN 1 ELSE 0 END) AS mother_eight
            FROM parent_situations GROUP BY person_key, purpose
        ) s
        """,
        materialise=True,
    ),
    # Children declared dead by a court (宣告死亡 of the child, on or before the date).
    Step(
        "declared_dead_children",
        """
        SELECT DISTINCT id_number, batch, "row", case_number, judgment_date FROM court
        WHERE judgment = 'declared_dead' AND id_number IS NOT NULL AND judgment_date <= @as_of
        """,
        materialise=True,
    ),
    # Children (under 18 on the date) who are alive and have not left: the starting kinds' people.
    Step(
        "minors",
        """
        SELECT * FROM people p
        WHERE adult_on > @as_of AND (status IS NULL OR status NOT IN ('dead', 'moved_out'))
          AND NOT EXISTS (SELECT 1 FROM declared_dead_children d
                          WHERE d.id_number = p.person_key)
        """,
    ),
    # Children adopted (court 收养 naming the child, on or before the date): 民法典 Art. 1111 —
    # the adoptive parents are their parents; orphan and DFUC protection no longer start.
    Step(
        "adopted",
        """
        SELECT DISTINCT child_id AS id_number FROM court
        WHERE judgment = 'adoption' AND child_id IS NOT NULL AND judgment_date <= @as_of
        """,
        materialise=True,
    ),
    # Why each child's parent is absent on the date, one row per fact (the evidence of the
    # branches that need one parent away, unknown or unable to care): `why` is
    #   unknown  the population register names no father (mother): 查找不到生父母;
    #   away     the parent lives outside the district (外出);
    #   unable   the parent is dead, declared dead or missing, or in one of the eight situations
    #            (unable to care: 无监护能力).
    Step(
        "absent",
        f"""
        SELECT person_key, 'father' AS role, 'unknown' AS why, 'police' AS source, batch,
               "row", 'father_unknown' AS fact, CAST(NULL AS VARCHAR) AS detail,
               CAST(NULL AS DATE) AS on_date, CAST(NULL AS DATE) AS until_date
        FROM people WHERE source = 'police' AND father_id IS NULL AND adult_on > @as_of
        UNION ALL
        SELECT person_key, 'mother', 'unknown', 'police', batch, "row", 'mother_unknown',
               CAST(NULL AS VARCHAR), CAST(NULL AS DATE), CAST(NULL AS DATE)
        FROM people WHERE source = 'police' AND mother_id IS NULL AND adult_on > @as_of
        UNION ALL
        SELECT pa.person_key, pa.role, 'away', 'police', p.batch, p."row", 'parent_lives_away',
               p.residence_code, CAST(NULL AS DATE), CAST(NULL AS DATE)
        FROM parents pa JOIN police p ON p.id_number = pa.parent_id
        WHERE p.residence_code IS NOT NULL AND NOT p.residence_code {_IN_DISTRICT}
        UNION ALL
        SELECT person_key, role, 'unable', source, batch, "row", situation, detail, started,
               ended
        FROM parent_situations WHERE purpose = 'now'
        """,
        materialise=True,
    ),
    # What the registry's children hold now (candidate, verified or approved).
    Step(
        "held",
        "SELECT DISTINCT person_key, category FROM registry WHERE category IS NOT NULL",
    ),
)


# --- The rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A lead kind: SQL selecting (person_key, <the evidence columns>), one row per fact."""

    kind: str  # screening.models.LeadKind
    category: str  # the registry category it starts ('' for the scholarship and review kinds)
    sql: str
    # Starting kinds are not raised for a child who already holds the category.
    starts: bool = True
    # Nor for a child who holds one of these ("a child who is an orphan is not also DFUC").
    not_if_held: tuple[str, ...] = ()


def _parent_evidence(purpose: str, *, gone_only: bool) -> str:
    return f"""
        SELECT f.person_key, ps.source, ps.batch, ps."row", ps.situation AS fact,
               ps.role AS subject, ps.detail, ps.started AS on_date, ps.ended AS until_date
        FROM families f
        JOIN parent_situations ps ON ps.person_key = f.person_key AND ps.purpose = f.purpose
        WHERE f.purpose = '{purpose}' {"AND ps.gone" if gone_only else ""}"""


def _assistance_evidence(people: str) -> str:
    """Evidence of family poverty: the 低保/特困 rows valid on the date of the persons of
    `people` (a table with person_key and id_number, read as `p`)."""
    return f"""
        SELECT p.person_key, 'assistance' AS source, a.batch, a."row", a.assistance AS fact,
               'self' AS subject, a.region_code AS detail, a.start_date AS on_date,
               a.end_date AS until_date
        FROM {people} p JOIN assistance a ON a.id_number = p.id_number
        WHERE a.start_date <= @as_of AND (a.end_date IS NULL OR a.end_date >= @as_of)"""


_NOT_ADOPTED = " AND NOT EXISTS (SELECT 1 FROM adopted ad WHERE ad.id_number = f.person_key)"
_HUKOU_HERE = f"(hukou_code IS NULL OR hukou_code {_IN_DISTRICT})"


def _absent_evidence(first: str, second: str, whys: str) -> str:
    """Evidence of the children with one parent absent for a `first` reason (SQL over `x`) and
    the other for a `second` one (over `y`): every `absent` row of the child whose `why` is in
    `whys`."""
    return f"""
        SELECT m.person_key, a.source, a.batch, a."row", a.fact, a.role AS subject, a.detail,
               a.on_date, a.until_date
        FROM minors m JOIN absent a ON a.person_key = m.person_key
        WHERE a.why IN {whys}
          AND EXISTS (SELECT 1 FROM absent x JOIN absent y
                        ON y.person_key = x.person_key AND y.role <> x.role
                      WHERE x.person_key = m.person_key AND ({first}) AND ({second}))"""


RULES: tuple[Rule, ...] = (
    # 孤儿 (国办发〔2010〕54号; DOMAIN.md): both parents dead, declared dead or declared missing,
    # on the date; not once adopted (民法典 Art. 1111: the adopters are the parents).
    Rule(
        "orphan",
        "orphan",
        _parent_evidence("now", gone_only=True)
        + " AND f.orphan = 1 AND f.person_key IN (SELECT person_key FROM minors)"
        + _NOT_ADOPTED,
    ),
    # 事实无人抚养儿童 (民发〔2019〕62号, 保障对象): (a) both parents each in one of the eight situations, or
    # (b) one dead or declared missing and the other in one of them; never an orphan (see
    # `families`), nor a child holding the orphan category, nor an adopted child. Only for a
    # child whose 户籍 is here: the application is made at the 户籍地 (民发〔2019〕62号, 认定程序); see
    # `referral`.
    Rule(
        "dfuc",
        "dfuc",
        _parent_evidence("now", gone_only=False)
        + f" AND f.dfuc = 1 AND f.person_key IN (SELECT person_key FROM minors WHERE {_HUKOU_HERE})"
        + _NOT_ADOPTED,
        not_if_held=("orphan",),
    ),
    # The DFUC child living here with 户籍 elsewhere: a referral to the 户籍地 (民发〔2019〕62号, 认定程序:
    # "由儿童监护人向儿童户籍所在地乡镇人民政府（街道办事处）提出申请"), naming that place.
    Rule(
        "referral",
        "dfuc",
        _parent_evidence("now", gone_only=False)
        + " AND f.dfuc = 1 AND f.person_key IN "
        + f"(SELECT person_key FROM minors WHERE NOT {_HUKOU_HERE})"
        + _NOT_ADOPTED
        + f"""
        UNION ALL
        SELECT m.person_key, m.source, m.batch, m."row", 'hukou_elsewhere', 'self',
               m.hukou_code, CAST(NULL AS DATE), CAST(NULL AS DATE)
        FROM minors m JOIN families f ON f.person_key = m.person_key AND f.purpose = 'now'
        WHERE f.dfuc = 1 AND NOT m.hukou_code {_IN_DISTRICT}"""
        + _NOT_ADOPTED,
        not_if_held=("orphan",),
    ),
    # 困境儿童 (国发〔2016〕36号): family poverty (a 低保/特困 member on the date), own
    # disability (any certificate valid on the date) or own serious illness, or lack of
    # guardianship (监护缺失): a parent's guardianship revoked by a court while the other parent is
    # absent (unknown or away; a child whose other parent is unable to care is DFUC or an orphan
    # and raised as such, not twice).
    Rule(
        "difficulty",
        "difficulty",
        _assistance_evidence("minors")
        + """
        UNION ALL
        SELECT m.person_key, 'disability', d.batch, d."row", 'disability', 'self',
               d.disability_kind || ' ' || CAST(d.level AS VARCHAR), d.issued_on, d.valid_until
        FROM minors m JOIN disability d ON d.id_number = m.id_number
        WHERE d.issued_on <= @as_of AND (d.valid_until IS NULL OR d.valid_until >= @as_of)
        UNION ALL
        SELECT m.person_key, 'health', h.batch, h."row", 'serious_illness', 'self', h.disease,
               h.recognised_on, h.end_date
        FROM minors m JOIN health h ON h.id_number = m.id_number
        WHERE h.recognised_on <= @as_of AND (h.end_date IS NULL OR h.end_date >= @as_of)
        UNION ALL
        SELECT e.* FROM ("""
        + _absent_evidence(
            "x.fact = 'guardianship_revoked'",
            "TRUE",
            "('unknown', 'away', 'unable')",
        )
        + """) e WHERE NOT EXISTS (SELECT 1 FROM families f WHERE f.person_key = e.person_key
                                   AND f.purpose = 'now' AND (f.dfuc = 1 OR f.orphan = 1))
        """,
    ),
    # 留守儿童 (国发〔2016〕13号): under 16, and both parents working away (the school recorded
    # 留守儿童=是, or both parents live outside the district while the child lives in it), or one
    # away and the other unable to care (dead, declared, or in one of the eight situations).
    Rule(
        "left_behind",
        "left_behind",
        f"""
        SELECT m.person_key, 'education' AS source, s.batch, s."row", 'left_behind' AS fact,
               'self' AS subject, s.school AS detail, s.enrolled_on AS on_date,
               CAST(NULL AS DATE) AS until_date
        FROM minors m JOIN students s ON s.person_key = m.person_key
        WHERE m.sixteen_on > @as_of AND s.left_behind
        UNION ALL
        SELECT m.person_key, 'police', a.batch, a."row", 'parent_lives_away', a.role,
               a.residence_code, CAST(NULL AS DATE), CAST(NULL AS DATE)
        FROM minors m
        JOIN (SELECT pa.person_key, pa.role, p.batch, p."row", p.residence_code,
                     COUNT(*) OVER (PARTITION BY pa.person_key) AS away
              FROM parents pa JOIN police p ON p.id_number = pa.parent_id
              WHERE p.residence_code IS NOT NULL AND NOT p.residence_code {_IN_DISTRICT}) a
          ON a.person_key = m.person_key
        WHERE m.sixteen_on > @as_of AND a.away = 2
          AND COALESCE(m.residence_code, m.hukou_code) {_IN_DISTRICT}
        UNION ALL
        SELECT e.* FROM ({
            _absent_evidence("x.why = 'away'", "y.why = 'unable'", "('away', 'unable')")
        }) e JOIN minors m ON m.person_key = e.person_key
        WHERE m.sixteen_on > @as_of AND COALESCE(m.residence_code, m.hukou_code) {_IN_DISTRICT}
        """,
    ),
    # 流动儿童: a minor living (population register) or studying (student register) in the
    # district whose household registration is outside it.
    Rule(
        "migrant",
        "migrant",
        f"""
        SELECT m.person_key, 'police' AS source, m.batch, m."row", 'lives_here' AS fact,
               'self' AS subject, m.hukou_code AS detail, CAST(NULL AS DATE) AS on_date,
               CAST(NULL AS DATE) AS until_date
        FROM minors m
        WHERE m.source = 'police' AND m.residence_code {_IN_DISTRICT}
          AND NOT m.hukou_code {_IN_DISTRICT}
        UNION ALL
        SELECT m.person_key, 'education', s.batch, s."row", 'studies_here', 'self',
               m.hukou_code, s.enrolled_on, CAST(NULL AS DATE)
        FROM minors m JOIN students s ON s.person_key = m.person_key
        WHERE NOT m.hukou_code {_IN_DISTRICT}
        """,
    ),
    # 查找不到生父母 (国办发〔2010〕54号 counts such children with orphans): a father or mother the
    # population register does not name, while the other parent is unable to care (dead,
    # declared, or in one of the eight situations). (Both numbers blank is read as a row the
    # register never linked, not as evidence: it raises nothing.) The rules cannot decide it:
    # a review lead that names what is missing, so that the child reaches a person instead of
    # being dropped.
    Rule(
        "parent_unknown",
        "",
        """SELECT e.* FROM ("""
        + _absent_evidence("x.why = 'unknown'", "y.why = 'unable'", "('unknown', 'unable')")
        + """) e WHERE NOT EXISTS (SELECT 1 FROM adopted ad WHERE ad.id_number = e.person_key)""",
        starts=False,
        not_if_held=("orphan", "dfuc"),
    ),
    # 福彩圆梦·孤儿助学 (2019 暂行办法, revised 2025): 18 or older, studying full time and without
    # interruption at a 普通高中, 中职 or 普通高校; recognised as an orphan before 18 (judged on
    # the eve of the 18th birthday, see `judged`) — DFUC too by local rule (@scholarship_dfuc);
    # not adopted, unless disabled (a valid certificate on the date).
    Rule(
        "scholarship",
        "",
        """
        SELECT person_key, 'education' AS source, batch, "row", fact, 'self' AS subject,
               school AS detail, enrolled_on AS on_date, CAST(NULL AS DATE) AS until_date
        FROM scholars
        UNION ALL
        """
        + _parent_evidence("eve18", gone_only=False)
        + " AND f.person_key IN (SELECT person_key FROM scholars)",
        starts=False,
    ),
    # 金秋助学: a member of a 低保/特困 household (on the date), in the final year of 高中 or 中职.
    Rule(
        "autumn_aid",
        "",
        _assistance_evidence("people")
        + """
          AND EXISTS (SELECT 1 FROM students s WHERE s.person_key = p.person_key
                      AND s.final_year AND s.stage IN ('senior', 'vocational'))
          AND (p.status IS NULL OR p.status <> 'dead')
        UNION ALL
        SELECT p.person_key, 'education', s.batch, s."row", 'final_year', 'self', s.stage,
               s.enrolled_on, CAST(NULL AS DATE)
        FROM people p JOIN students s ON s.person_key = p.person_key
        WHERE s.final_year AND s.stage IN ('senior', 'vocational')
          AND (p.status IS NULL OR p.status <> 'dead')
          AND EXISTS (SELECT 1 FROM assistance a WHERE a.id_number = p.id_number
                      AND a.start_date <= @as_of
                      AND (a.end_date IS NULL OR a.end_date >= @as_of))
        """,
        starts=False,
    ),
)

# The students the scholarship rule takes, with the row that shows their study. "Without
# interruption": enrolled (this enrolment) no later than 1 September of the year after the 18th
# birthday — a whole school year out of school after 18 breaks it; a blank enrolment date is left
# to the field check.
SCHOLARS = Step(
    "scholars",
    materialise=True,
    sql=f"""
    SELECT p.person_key, s.batch, s."row", s.school, s.enrolled_on,
           CASE s.stage WHEN 'higher' THEN 'higher_education'
                ELSE s.stage || '_education' END AS fact
    FROM people p
    JOIN families f ON f.person_key = p.person_key AND f.purpose = 'eve18'
    JOIN students s ON s.person_key = p.person_key
    WHERE (f.orphan = 1 OR (f.dfuc = 1 AND @scholarship_dfuc))
      AND s.stage IN {_SCHOLARSHIP_STAGES} AND s.full_time
      AND (s.enrolled_on IS NULL
           OR s.enrolled_on <= CAST(CAST(EXTRACT(YEAR FROM p.adult_on) + 1 AS VARCHAR)
                                    || '-09-01' AS DATE))
      AND (p.status IS NULL OR p.status <> 'dead')
      AND (NOT EXISTS (SELECT 1 FROM adopted ad WHERE ad.id_number = p.person_key)
           OR EXISTS (SELECT 1 FROM disability d WHERE d.id_number = p.person_key
                      AND d.issued_on <= @as_of
                      AND (d.valid_until IS NULL OR d.valid_until >= @as_of)))
    """,
)

# The evidence that a registered DFUC child's ground ended while the category was held: a
# parent's situation that ended before the date (and not before the category took effect), or a
# parent's police status back to 正常 on a date since then ("contact regained"). A status
# dated before the category took effect says nothing about it (the category may rest on facts
# outside the feeds).
DFUC_ENDED = Step(
    "dfuc_ended",
    materialise=True,
    sql="""
    SELECT DISTINCT r.person_key, f.source, f.batch, f."row", f.situation || '_ended' AS fact,
           pa.role AS subject, f.detail, f.started AS on_date, f.ended AS until_date
    FROM registry r
    JOIN parents pa ON pa.person_key = r.person_key
    JOIN situations f ON f.id_number = pa.parent_id
    WHERE r.category = 'dfuc' AND NOT f.gone AND f.ended < @as_of
      AND (r.since IS NULL OR f.ended >= r.since)
    UNION ALL
    SELECT DISTINCT r.person_key, 'police', pp.batch, pp."row", 'status_normal', pa.role,
           CAST(NULL AS VARCHAR), pp.status_date, CAST(NULL AS DATE)
    FROM registry r
    JOIN parents pa ON pa.person_key = r.person_key
    JOIN police pp ON pp.id_number = pa.parent_id
    WHERE r.category = 'dfuc' AND pp.status = 'normal' AND pp.status_date IS NOT NULL
      AND pp.status_date <= @as_of AND (r.since IS NULL OR pp.status_date >= r.since)
    """,
)

_SEVERE = "level <= 2 OR (level <= 4 AND disability_kind IN ('intellectual', 'mental'))"


@dataclass(frozen=True)
class EndingRule:
    """An ending kind: SQL over `r` (a registry row holding a category) and `p` (the person in the
    feeds, LEFT JOINed) selecting the evidence columns; one lead per child and category held."""

    kind: str
    where_sql: str  # FROM registry r LEFT JOIN people p ... {joins} WHERE {where}
    evidence: str
    joins: str = ""
    categories: tuple[str, ...] = ()  # only for these categories (default: all)


_NOT_SUPPORTED = """NOT EXISTS (SELECT 1 FROM families f WHERE f.person_key = r.person_key
                       AND f.purpose = 'now' AND (f.dfuc = 1 OR f.orphan = 1))"""

ENDING_RULES: tuple[EndingRule, ...] = (
    # "Categories end by themselves: at 18" (民法典 Art. 17; the day per Options.ends_on_birthday).
    # With Options.students_keep_allowance, an orphan or DFUC in full-time study keeps the
    # category until the education feed no longer shows the study.
    EndingRule(
        "turned_18",
        f"""{_birthday("r.birth_date", ADULT_YEARS)} <= @as_of
        AND NOT (@keep_students AND r.category IN ('orphan', 'dfuc')
                 AND EXISTS (SELECT 1 FROM students s WHERE s.person_key = r.person_key
                             AND s.full_time AND s.stage IN {_SCHOLARSHIP_STAGES}))""",
        f"""'registry' AS source, CAST(NULL AS BIGINT) AS batch, CAST(NULL AS INTEGER) AS "row",
            'turned_18' AS fact, 'self' AS subject, CAST(NULL AS VARCHAR) AS detail,
            {_birthday("r.birth_date", ADULT_YEARS)} AS on_date,
            CAST(NULL AS DATE) AS until_date""",
    ),
    # 留守儿童 is "under 16" (国发〔2016〕13号): the category ends on the 16th birthday.
    EndingRule(
        "turned_16",
        f"{_birthday('r.birth_date', LEFT_BEHIND_UNDER_YEARS)} <= @as_of",
        f"""'registry', CAST(NULL AS BIGINT), CAST(NULL AS INTEGER), 'turned_16', 'self',
            CAST(NULL AS VARCHAR), {_birthday("r.birth_date", LEFT_BEHIND_UNDER_YEARS)},
            CAST(NULL AS DATE)""",
        categories=("left_behind",),
    ),
    # "on death" (police 死亡) ...
    EndingRule(
        "deceased",
        "p.source = 'police' AND p.status = 'dead'",
        """'police', p.batch, p."row", 'dead', 'self', CAST(NULL AS VARCHAR), p.status_date,
           CAST(NULL AS DATE)""",
    ),
    # ... or declared dead by a court (宣告死亡 of the child, 民法典 Art. 46/48: the day of the
    # judgment is the day of death).
    EndingRule(
        "deceased",
        "TRUE",
        """'court', d.batch, d."row", 'declared_dead', 'self', d.case_number, d.judgment_date,
           CAST(NULL AS DATE)""",
        joins="JOIN declared_dead_children d ON d.id_number = r.id_number",
    ),
    # "on adoption" (court 收养 naming the child)
    EndingRule(
        "adopted",
        "c.judgment_date <= @as_of",
        """'court', c.batch, c."row", 'adoption', 'self', c.case_number, c.judgment_date,
           CAST(NULL AS DATE)""",
        joins="JOIN court c ON c.judgment = 'adoption' AND c.child_id = r.id_number",
    ),
    # "when the child moves out of the district": police 迁出 ...
    EndingRule(
        "moved_out",
        "p.source = 'police' AND p.status = 'moved_out'",
        """'police', p.batch, p."row", 'moved_out', 'self', CAST(NULL AS VARCHAR),
           p.status_date, CAST(NULL AS DATE)""",
    ),
    # ... or lives and is registered outside it.
    EndingRule(
        "moved_out",
        f"p.source = 'police' AND NOT p.residence_code {_IN_DISTRICT} "
        f"AND NOT p.hukou_code {_IN_DISTRICT}",
        """'police', p.batch, p."row", 'lives_outside', 'self', p.residence_code,
           CAST(NULL AS DATE), CAST(NULL AS DATE)""",
    ),
    # "when a parent's situation ends (released from prison, rehab over, contact regained)": the
    # child holds DFUC, the feeds no longer make it DFUC (nor an orphan), and a parent's situation
    # ended while it was held (see `dfuc_ended`).
    EndingRule(
        "situation_ended",
        _NOT_SUPPORTED,
        """e.source, e.batch, e."row", e.fact, e.subject, e.detail, e.on_date, e.until_date""",
        joins="JOIN dfuc_ended e ON e.person_key = r.person_key",
        categories=("dfuc",),
    ),
    # Nothing ends silently: the feeds no longer make a registered DFUC child DFUC (nor an
    # orphan) and show no situation that ended (a term shortened on appeal to under six months, a
    # certificate downgraded below 重残, or facts the feeds never held) — a review lead, with
    # what the feeds show of the parents now.
    EndingRule(
        "review",
        _NOT_SUPPORTED
        + " AND NOT EXISTS (SELECT 1 FROM dfuc_ended x WHERE x.person_key = r.person_key)",
        """e.source, e.batch, e."row", e.fact, e.subject, e.detail, e.on_date, e.until_date""",
        joins=f"""JOIN (
            SELECT DISTINCT person_key, 'registry' AS source, CAST(NULL AS BIGINT) AS batch,
                   CAST(NULL AS INTEGER) AS "row", 'not_supported_by_feeds' AS fact,
                   'self' AS subject, CAST(NULL AS VARCHAR) AS detail,
                   CAST(NULL AS DATE) AS on_date, CAST(NULL AS DATE) AS until_date
            FROM registry WHERE category = 'dfuc'
            UNION ALL
            SELECT pa.person_key, 'justice', j.batch, j."row", 'term_under_six_months', pa.role,
                   j.agency, j.start_date, j.end_date
            FROM parents pa
            JOIN (SELECT * FROM justice WHERE NOT {_TERM}) j ON j.id_number = pa.parent_id
            UNION ALL
            SELECT pa.person_key, 'disability', d.batch, d."row", 'disability_not_severe',
                   pa.role, d.disability_kind || ' ' || CAST(d.level AS VARCHAR), d.issued_on,
                   d.valid_until
            FROM parents pa
            JOIN (SELECT * FROM disability WHERE NOT ({_SEVERE})) d
              ON d.id_number = pa.parent_id
        ) e ON e.person_key = r.person_key""",
        categories=("dfuc",),
    ),
)


def _hits_sql() -> str:
    parts = []
    for rule in RULES:
        held = [rule.category] if rule.starts else []
        held += list(rule.not_if_held)
        unheld = (
            """AND NOT EXISTS (SELECT 1 FROM held h WHERE h.person_key = x.person_key
                                AND h.category IN ({}))""".format(", ".join(f"'{c}'" for c in held))
            if held
            else ""
        )
        parts.append(
            f"""SELECT '{rule.kind}' AS kind, x.person_key, '{rule.category}' AS category,
                       {", ".join("x." + ('"row"' if c == "row" else c) for c in EVIDENCE_COLUMNS)}
                FROM ({rule.sql}) x WHERE TRUE {unheld}"""
        )
    for ending in ENDING_RULES:
        only = (
            "AND r.category IN ({})".format(", ".join(f"'{c}'" for c in ending.categories))
            if ending.categories
            else ""
        )
        parts.append(
            f"""SELECT '{ending.kind}' AS kind, r.person_key, r.category, {ending.evidence}
                FROM registry r LEFT JOIN people p ON p.person_key = r.person_key
                {ending.joins}
                WHERE r.category IS NOT NULL {only} AND ({ending.where_sql})"""
        )
    return "\nUNION ALL\n".join(parts)


# Where a lead goes: the registry child's division; else the feed's code (residence, else
# household registration, preferring one inside the district); a code missing from the tree goes
# to its nearest known ancestor (12 → 9 → 6 digits), flagged; none at all to the root, flagged.
# A code retired by a 区划调整 counts as known and goes to the division that replaced it; the
# old code is kept as `region_alias` and named in the evidence.
_LEADS_SQL = f"""
SELECT k.kind, k.person_key, k.category,
       COALESCE(r.id_number, p.id_number) AS id_number,
       COALESCE(r.name, p.name) AS name,
       COALESCE(r.sex, p.sex) AS sex,
       COALESCE(r.birth_date, p.birth_date) AS birth_date,
       r.child_id,
       k.region_code,
       CASE WHEN r.child_id IS NOT NULL THEN r.division_code
            ELSE COALESCE(d12.current, d9.current, d6.current, '@root') END AS division_code,
       (r.child_id IS NULL AND d12.code IS NULL) AS region_flagged,
       CASE WHEN r.child_id IS NOT NULL THEN NULL
            WHEN d12.code IS NOT NULL THEN NULLIF(d12.code, d12.current)
            WHEN d9.code IS NOT NULL THEN NULLIF(d9.code, d9.current)
            ELSE NULLIF(d6.code, d6.current) END AS region_alias
FROM (
    SELECT h.kind, h.person_key, h.category,
           CASE WHEN p.residence_code {_IN_DISTRICT} THEN p.residence_code
                WHEN p.hukou_code {_IN_DISTRICT} THEN p.hukou_code
                ELSE COALESCE(p.residence_code, p.hukou_code) END AS region_code
    FROM (SELECT DISTINCT kind, person_key, category FROM hits) h
    LEFT JOIN people p ON p.person_key = h.person_key
) k
LEFT JOIN (SELECT DISTINCT child_id, person_key, id_number, name, sex, birth_date,
                  division_code FROM registry) r ON r.person_key = k.person_key
LEFT JOIN people p ON p.person_key = k.person_key
LEFT JOIN divisions d12 ON d12.code = k.region_code
LEFT JOIN divisions d9 ON d9.code = SUBSTR(k.region_code, 1, 9)
LEFT JOIN divisions d6 ON d6.code = SUBSTR(k.region_code, 1, 6)
"""

_EVIDENCE_SQL = f"""
SELECT DISTINCT kind, person_key, category, {_EVIDENCE} FROM hits
"""

OUTPUT_STEPS = (SCHOLARS, DFUC_ENDED, Step("hits", _hits_sql(), materialise=True))
LEADS_QUERY = _LEADS_SQL
EVIDENCE_QUERY = _EVIDENCE_SQL

_ROOT = re.compile(r"^[0-9]{2,12}$")


def bind(sql: str, *, as_of: date, root: str, options: Options | None = None) -> str:
    """The rule SQL with its parameters as literals (checked: a date and a division code) and
    the installation's `Options` (default: from the settings)."""
    if not isinstance(as_of, date) or not _ROOT.match(root):
        raise ValueError(f"bad screening parameters: {as_of!r}, {root!r}")
    for name, literal in (options or Options.from_settings()).literals().items():
        sql = sql.replace(name, literal)
    return sql.replace("@as_of", f"DATE '{as_of.isoformat()}'").replace("@root", root)


def statements(
    *, as_of: date, root: str, options: Options | None = None
) -> Iterator[tuple[Step, str]]:
    """Every step in order, bound (DuckDB dialect); then the `leads` and `evidence` queries are
    read with `LEADS_QUERY` / `EVIDENCE_QUERY` through `bind`."""
    options = options or Options.from_settings()
    for step in STEPS + OUTPUT_STEPS:
        yield step, bind(step.sql, as_of=as_of, root=root, options=options)


# --- The engines' common output ----------------------------------------------------------------

LEAD_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("person_key", pa.string()),
        ("category", pa.string()),
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("child_id", pa.int64()),
        ("region_code", pa.string()),
        ("division_code", pa.string()),
        ("region_flagged", pa.bool_()),
        ("evidence", pa.string()),
        ("fingerprint", pa.string()),
    ]
)


# The leads' final form, computed the same way whatever engine found them: the evidence items
# as JSON (blank fields left out; sorted), and the fingerprint — SHA-256 of the kind, the person,
# the category and the sorted facts and dates of the evidence, without batch ids or row numbers,
# so that the same data re-imported in a new batch is the same lead. Run by DuckDB: in the
# screening's own connection, or in-process over another engine's Arrow tables.


# (JSON name, column, how the value is written)
_ITEM_FIELDS = (
    ("source", "source", "text"),
    ("batch", "batch", "number"),
    ("row", '"row"', "number"),
    ("fact", "fact", "text"),
    ("subject", "subject", "text"),
    ("detail", "detail", "text"),
    ("on", "on_date", "date"),
    ("until", "until_date", "date"),
)


def _json_object(fields) -> str:
    """SQL for a JSON object of the non-blank fields."""
    values = {
        "text": "to_json({})",
        "number": "CAST({} AS VARCHAR)",
        "date": "'\"' || CAST({} AS VARCHAR) || '\"'",
    }
    parts = ", ".join(
        f"""CASE WHEN {column} IS NOT NULL THEN '"{name}":' || {values[how].format(column)} END"""
        for name, column, how in fields
    )
    return f"'{{' || concat_ws(',', {parts}) || '}}'"


# A lead routed through a retired division code gets one more evidence item saying so
# ({"source": "divisions", "fact": "division_alias", "detail": old code, "to": new code}), last;
# it is left out of the fingerprint: the facts about the child did not change with the code.
_FINAL_SQL = f"""
WITH items AS (
    SELECT kind, person_key, COALESCE(category, '') AS category, source, batch, "row", fact,
           subject, detail, on_date, until_date,
           {_json_object(_ITEM_FIELDS)} AS item,
           {_json_object(f for f in _ITEM_FIELDS if f[0] not in ("batch", "row"))} AS facts
    FROM evidence
    UNION ALL
    SELECT kind, person_key, COALESCE(category, '') AS category, 'divisions', NULL, NULL,
           'division_alias', NULL, region_alias, NULL, NULL,
           '{{"source":"divisions","fact":"division_alias","detail":' || to_json(region_alias)
           || ',"to":' || to_json(division_code) || '}}' AS item,
           NULL AS facts
    FROM leads WHERE region_alias IS NOT NULL
),
per_lead AS (
    SELECT kind, person_key, category,
           '[' || string_agg(item, ',' ORDER BY source = 'divisions', source, batch, "row", fact,
                             subject, detail, on_date, until_date) || ']' AS evidence,
           string_agg(facts, ',' ORDER BY facts) AS facts
    FROM items GROUP BY kind, person_key, category
)
SELECT l.kind, l.person_key, COALESCE(l.category, '') AS category, l.id_number, l.name, l.sex,
       CAST(l.birth_date AS DATE) AS birth_date, CAST(l.child_id AS BIGINT) AS child_id,
       l.region_code, l.division_code, CAST(l.region_flagged AS BOOLEAN) AS region_flagged,
       COALESCE(e.evidence, '[]') AS evidence,
       sha256(to_json([l.kind, l.person_key, COALESCE(l.category, ''),
                       COALESCE(e.facts, '')])) AS fingerprint
FROM leads l
LEFT JOIN per_lead e ON e.kind = l.kind AND e.person_key = l.person_key
                    AND e.category = COALESCE(l.category, '')
ORDER BY l.kind, l.person_key, category
"""


def finalise_in(con) -> pa.Table:
    """One table of leads (LEAD_SCHEMA), sorted by kind, person and category, each with its
    evidence as JSON and its fingerprint, from the relations `leads` and `evidence` of the DuckDB
    connection `con`. The same for every engine."""
    return con.sql(_FINAL_SQL).to_arrow_table().cast(LEAD_SCHEMA)


def finalise(leads: pa.Table, evidence: pa.Table) -> pa.Table:
    """`finalise_in` over Arrow tables (an engine that runs elsewhere, e.g. Spark), in an
    in-process DuckDB."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("leads", leads)
        con.register("evidence", evidence)
        return finalise_in(con)
    finally:
        con.close()
