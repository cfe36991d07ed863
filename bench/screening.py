"""Screening (精准排查) of a synthetic population of 1,000,000 people, end to end.

Target (issue 3): "screening a synthetic population of 1,000,000 people with all seven feeds, on
2 cores: report wall time, peak memory, and the ratio to a hand-written DuckDB SQL baseline of
the same joins in the same run; target: within 1.5x of that baseline, and under 60 s end to end
including import from CSV. Also report the same run on Spark local."

The data set (built in the worker, not timed): a district of 12 streets × 10 communities; N
people in the population feed (children, their parents, other adults), with the parents'
situations sprinkled over the other six feeds; about 3 % of the students have no ID number (the
linkage finds them by name); some codes are missing from the tree; a registry of children who hold
categories (for the ending kinds). The seven feeds are written as CSV by DuckDB (`COPY ... TO`),
the population feed re-encoded as GB18030 like most government exports.

Measured in a worker process of its own (a fresh data directory and SQLite database):

- import:   `feed_import` of the seven CSV files (the service the upload page and
            `huhang import_feed` call: read, validate every ID number, normalise names, write
            the Parquet snapshot);
- screen:   `screen_run(engine="duckdb")`: export of the registry, linkage (Splink), the rules,
            storing the leads (split into its stages);
- rules:    the rules alone (all steps, evidence, fingerprints: `engines.run_duckdb`) over the
            same snapshots and links, the median of 5 runs — the figure compared with the
            baseline (its share of the screen_run above is reported too);
- baseline: one hand-written DuckDB SQL script over the same snapshots and links computing the
            same lead keys with the same joins, without our rule machinery (no steps, no
            evidence, no fingerprints); the median of 5 runs, taken in turn with ours;
- spark:    the same rules on Spark local[2] (`engines.run_spark`) in another worker; reported,
            no target.

    python -m bench --only screening_1m                    # 1,000,000 (small 10k, demo 100k)
    python -m bench.screening --people 100000 --spark      # the worker alone
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.registry import Context, Result, benchmark, result

BENCH_DIR = Path(__file__).resolve().parent
SIZES = {"small": 10_000, "demo": 100_000, "district": 1_000_000, "large": 1_000_000}
AS_OF = date(2026, 11, 1)
TARGET_RATIO = 1.5
REPEAT = 5  # rules and baseline, each, on the same connection
TARGET_SECONDS = 60.0
DISTRICT = "150203"  # 昆都仑区: its 16 streets and towns, with synthetic communities
STREETS, COMMUNITIES = 16, 10
SOURCES = ("police", "justice", "court", "disability", "health", "assistance", "education")


@benchmark(
    "screening_1m",
    description="screening 1,000,000 people, seven CSV feeds: import + linkage + rules + leads",
    needs_data=False,
)
def screening(ctx: Context) -> list[Result]:
    people = SIZES[ctx.size]
    ctx.log(f"  {people:,} people; DuckDB end to end, then Spark local")
    with tempfile.TemporaryDirectory(prefix="huhang-bench-screening-") as data_dir:
        figures = _worker(data_dir, ["--people", str(people)])
        spark = _worker(data_dir, ["--people", str(people), "--spark-only"], check=False)
    end_to_end = figures["import_s"] + figures["screen_s"]
    ctx.log(
        f"  import {figures['import_s']:.1f} s + screen {figures['screen_s']:.1f} s "
        f"= {end_to_end:.1f} s ({'ok' if end_to_end < TARGET_SECONDS else 'OVER'} "
        f"{TARGET_SECONDS:.0f} s); rules {figures['rules_s']:.2f} s = "
        f"{figures['rules_s'] / figures['baseline_s']:.2f}× the hand-written SQL "
        f"({figures['baseline_s']:.2f} s; "
        f"{'ok' if figures['rules_s'] <= TARGET_RATIO * figures['baseline_s'] else 'OVER'} "
        f"{TARGET_RATIO}×); peak RSS {figures['peak_rss_mib']:.0f} MiB; "
        f"stages {figures['stages']}; leads {figures['leads']}"
    )
    results = [
        result("screening.end_to_end", end_to_end, "s", TARGET_SECONDS),
        result("screening.import_csv", figures["import_s"], "s", None),
        result("screening.screen_run", figures["screen_s"], "s", None),
        result("screening.rules_vs_sql", figures["rules_s"], "s", figures["baseline_s"]),
        result("screening.linkage", figures["stages"].get("linkage", 0.0), "s", None),
        result("screening.store_leads", figures["stages"].get("store", 0.0), "s", None),
        result("screening.peak_rss", figures["peak_rss_mib"], "MiB", None),
        result("screening.leads_found", figures["leads"]["total"]["found"], "leads", None),
    ]
    if spark and "spark_s" in spark:
        ctx.log(
            f"  Spark local: rules {spark['spark_s']:.1f} s "
            f"(DuckDB {figures['rules_s']:.2f} s); same leads: {spark.get('same')}"
        )
        results.append(result("screening.spark_rules", spark["spark_s"], "s", figures["rules_s"]))
    else:
        ctx.log("  Spark local: not run (pyspark or Java missing, or the worker failed)")
    return results


def _worker(data_dir: str, args: list[str], *, check: bool = True) -> dict:
    env = {
        **os.environ,
        "HUHANG_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "huhang.settings",
        "HUHANG_DEBUG": "0",
        "HUHANG_SPARK_MASTER": "local[2]",
    }
    env.pop("DATABASE_URL", None)
    out = Path(data_dir) / f"figures-{len(args)}.json"
    argv = [sys.executable, "-m", "bench.screening", *args, "--output", str(out)]
    done = subprocess.run(argv, env=env, cwd=BENCH_DIR.parent, check=check)
    if done.returncode != 0 or not out.exists():
        return {}
    return json.loads(out.read_text())


# =================================================================================================
# The data set
# =================================================================================================

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_sql(first17: str) -> str:
    """A GB 11643 ID number from a 17-digit SQL expression (ISO 7064 MOD 11-2 in SQL)."""
    total = " + ".join(
        f"CAST(substr({first17}, {k + 1}, 1) AS INTEGER) * {w}" for k, w in enumerate(_WEIGHTS)
    )
    return f"({first17} || substr('10X98765432', (({total}) % 11) + 1, 1))"


def _streets() -> list[tuple[str, str]]:
    """(code, name) of the district's streets and towns, from the official table Huhang ships."""
    from huhang.regions.table import shipped_rows

    streets = [(r.code, r.name) for r in shipped_rows(DISTRICT) if len(r.code) == 9]
    assert len(streets) == STREETS, streets
    return streets


def _community(expr: str) -> str:
    """SQL for a community code: one of the real streets, a synthetic community number."""
    codes = ", ".join(f"'{code}'" for code, _name in _streets())
    return (
        f"list_extract([{codes}], CAST(({expr}) % {STREETS} + 1 AS INTEGER)) "
        f"|| lpad(CAST((({expr}) // {STREETS}) % {COMMUNITIES} + 1 AS VARCHAR), 3, '0')"
    )


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然欣怡子涵梓轩雨桐"


def build_people(con, n: int) -> None:
    """The population in DuckDB: children (13 %), their parents, other adults."""
    children = max(n * 13 // 100, 10)
    families = max(children * 85 // 100, 5)
    parents = 2 * families
    surname = f"substr('{SURNAMES}', CAST(i % {len(SURNAMES)} AS INTEGER) + 1, 1)"
    given = (
        f"substr('{GIVEN}', CAST((i // 7) % {len(GIVEN)} AS INTEGER) + 1, 1) || "
        f"substr('{GIVEN}', CAST((i // 331) % {len(GIVEN)} AS INTEGER) + 1, 1)"
    )
    con.execute(
        f"""
        CREATE TABLE people AS
        WITH n AS (SELECT range AS i FROM range({n})),
        g AS (
            SELECT i,
                   CASE WHEN i < {children} THEN 'child'
                        WHEN i < {children + parents} THEN 'parent' ELSE 'other' END AS grp
            FROM n
        ),
        b AS (
            SELECT i, grp,
                   CASE grp WHEN 'child' THEN DATE '2008-09-01' + CAST(i % 6560 AS INTEGER)
                            WHEN 'parent' THEN DATE '1972-01-01' + CAST(i % 9000 AS INTEGER)
                            ELSE DATE '1940-01-01' + CAST(i % 24000 AS INTEGER) END AS birth,
                   CASE grp WHEN 'child' THEN '150203' WHEN 'parent' THEN '150205'
                            ELSE '150207' END AS born_in,
                   CASE grp WHEN 'child' THEN i % 2 = 0
                            WHEN 'parent' THEN (i - {children}) % 2 = 0
                            ELSE i % 2 = 0 END AS male,
                   CASE grp WHEN 'child' THEN i // 6560 WHEN 'parent' THEN i // 9000
                            ELSE i // 24000 END AS k
            FROM g
        )
        SELECT i, grp, {surname} || {given} AS name,
               {_id_sql("born_in || strftime(birth, '%Y%m%d') || lpad(CAST((k % 500) * 2 + CASE WHEN male THEN 1 ELSE 0 END AS VARCHAR), 3, '0')")} AS id_number,
               CASE WHEN male THEN '男' ELSE '女' END AS sex, birth,
               CASE WHEN grp = 'child' AND i % 33 = 0 THEN '110101001001'
                    ELSE {_community("i")} END AS hukou,
               CASE WHEN i % 997 = 0 THEN '150203005099' ELSE {_community("i")} END AS residence,
               CASE WHEN grp = 'child' THEN i % {families} END AS family
        FROM b
        """
    )
    # Parents: family f has father children + 2f and mother children + 2f + 1. One adult in 50
    # of the others (some of them 18-22 and in higher education: scholarship cases) has two
    # other adults as parents, both dead (others whose number is a multiple of 97 are dead).
    # The join keys are single expressions so that DuckDB hash-joins (an OR of two equalities
    # would make it a nested loop over a million rows twice).
    father = (
        f"CASE WHEN p.grp = 'child' THEN {children} + 2 * p.family "
        "WHEN p.grp = 'other' AND p.i % 50 = 0 THEN p.i - p.i % 97 END"
    )
    mother_offset = "CASE WHEN p.grp = 'child' THEN 1 ELSE -97 END"
    con.execute(
        f"""
        CREATE TABLE police_rows AS
        SELECT p.name, p.id_number, p.sex, p.birth, p.hukou,
               CASE WHEN p.grp = 'parent' AND p.i % 41 = 0 THEN '440106001001'
                    ELSE p.residence END AS residence,
               f.id_number AS father_id, m.id_number AS mother_id,
               CASE WHEN p.grp = 'parent' AND p.i % 211 = 0 THEN '死亡'
                    WHEN p.grp = 'parent' AND p.i % 307 = 0 THEN '失联'
                    WHEN p.grp = 'parent' AND p.i % 1009 = 0 THEN '被遣送出境'
                    WHEN p.grp = 'child' AND p.i % 2003 = 0 THEN '迁出'
                    WHEN p.grp = 'child' AND p.i % 4001 = 0 THEN '死亡'
                    WHEN p.grp = 'other' AND p.i % 97 = 0 THEN '死亡'
                    ELSE '正常' END AS status,
               CASE WHEN p.i % 211 = 0 OR p.i % 307 = 0 OR p.i % 1009 = 0 OR p.i % 2003 = 0
                         OR p.i % 4001 = 0 OR p.i % 97 = 0
                    THEN DATE '2018-01-01' + CAST(p.i % 3000 AS INTEGER) END AS status_date,
               p.i, p.grp
        FROM people p
        LEFT JOIN people f ON f.i = {father} AND (p.grp = 'child' OR f.grp = 'other')
        LEFT JOIN people m ON m.i = {father} + {mother_offset} AND (p.grp = 'child' OR m.grp = 'other')
        """
    )


def write_feeds(con, out: Path) -> dict[str, Path]:
    """The seven feeds as CSV in FEEDS.md's columns; the police feed in GB18030."""
    parents = "SELECT * FROM police_rows WHERE grp = 'parent'"
    queries = {
        "police": """
            SELECT name AS 姓名, id_number AS 公民身份号码, sex AS 性别,
                   strftime(birth, '%Y-%m-%d') AS 出生日期, hukou AS 户籍地行政区划代码,
                   residence AS 现住址行政区划代码, father_id AS 父亲公民身份号码,
                   mother_id AS 母亲公民身份号码, status AS 人员状态,
                   strftime(status_date, '%Y-%m-%d') AS 状态日期
            FROM police_rows""",
        "justice": f"""
            SELECT name AS 姓名, id_number AS 公民身份号码,
                   CASE i % 3 WHEN 0 THEN '服刑在押' WHEN 1 THEN '强制隔离戒毒'
                        ELSE '其他限制人身自由措施' END AS 措施类型,
                   strftime(DATE '2023-01-01' + CAST(i % 1000 AS INTEGER), '%Y-%m-%d') AS 起始日期,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE strftime(DATE '2023-01-01'
                        + CAST(i % 1000 + 120 + i % 900 AS INTEGER), '%Y-%m-%d') END AS 终止日期,
                   '包头监狱' AS 执行机关
            FROM ({parents}) WHERE i % 43 = 0""",
        "court": f"""
            SELECT name AS 姓名, id_number AS 公民身份号码,
                   CASE i % 3 WHEN 0 THEN '宣告死亡' WHEN 1 THEN '宣告失踪'
                        ELSE '撤销监护资格' END AS 判决类型,
                   strftime(DATE '2019-01-01' + CAST(i % 2000 AS INTEGER), '%Y-%m-%d') AS 判决日期,
                   '(2024)内0203民特' || i || '号' AS 案号, NULL AS 关联儿童身份号码
            FROM ({parents}) WHERE i % 401 = 0
            UNION ALL
            SELECT o.name, o.id_number, '收养', '2026-06-01', '(2026)内0203民特收' || c.i || '号',
                   c.id_number
            FROM police_rows c
            JOIN police_rows o ON o.i = c.i + (SELECT count(*) FROM people) // 2
            WHERE c.grp = 'child' AND c.i % 3001 = 0""",
        "disability": """
            SELECT name AS 姓名, id_number AS 公民身份号码,
                   CASE i % 7 WHEN 0 THEN '视力' WHEN 1 THEN '听力' WHEN 2 THEN '言语'
                        WHEN 3 THEN '肢体' WHEN 4 THEN '智力' WHEN 5 THEN '精神'
                        ELSE '多重' END AS 残疾类别,
                   CASE i % 4 WHEN 0 THEN '一级' WHEN 1 THEN '二级' WHEN 2 THEN '三级'
                        ELSE '四级' END AS 残疾等级,
                   strftime(DATE '2016-01-01' + CAST(i % 3000 AS INTEGER), '%Y-%m-%d') AS 发证日期,
                   CASE WHEN i % 3 = 0 THEN NULL ELSE strftime(DATE '2026-01-01'
                        + CAST(i % 2000 AS INTEGER), '%Y-%m-%d') END AS 有效期至
            FROM police_rows WHERE i % 37 = 0""",
        "health": """
            SELECT name AS 姓名, id_number AS 公民身份号码,
                   CASE i % 3 WHEN 0 THEN '尿毒症' WHEN 1 THEN '白血病' ELSE '恶性肿瘤' END AS 病种,
                   strftime(DATE '2020-01-01' + CAST(i % 2000 AS INTEGER), '%Y-%m-%d') AS 认定日期,
                   CASE WHEN i % 4 = 0 THEN '2026-06-30' END AS 终止日期
            FROM police_rows WHERE i % 101 = 0""",
        "assistance": f"""
            SELECT h.name AS 户主姓名, h.id_number AS 户主公民身份号码, m.name AS 成员姓名,
                   m.id_number AS 成员公民身份号码,
                   CASE m.i % 3 WHEN 0 THEN '城市低保' WHEN 1 THEN '农村低保'
                        ELSE '特困供养' END AS 救助类型,
                   strftime(DATE '2021-01-01' + CAST(m.i % 1500 AS INTEGER), '%Y-%m-%d') AS 起始日期,
                   CASE WHEN m.i % 6 = 0 THEN '2026-05-31' END AS 终止日期,
                   m.hukou AS 行政区划代码
            FROM police_rows m JOIN police_rows h ON h.id_number = COALESCE(m.father_id, m.id_number)
            WHERE m.i % 29 = 0 AND m.hukou LIKE '150203%'
            UNION ALL
            SELECT p.name, p.id_number, p.name, p.id_number, '城市低保', '2022-03-01', NULL,
                   p.hukou
            FROM ({parents}) p WHERE p.i % 29 = 0 AND p.hukou LIKE '150203%'""",
        "education": """
            SELECT name AS 姓名,
                   CASE WHEN i % 31 = 0 THEN NULL ELSE id_number END AS 公民身份号码,
                   'G' || id_number AS 学籍号, sex AS 性别,
                   strftime(birth, '%Y-%m-%d') AS 出生日期,
                   CASE WHEN age >= 18 THEN '内蒙古科技大学' ELSE '昆区第' || (i % 40) || '学校' END
                       AS 学校名称,
                   CASE WHEN age >= 18 THEN '高等教育' WHEN age >= 15 AND i % 5 = 0 THEN '中职'
                        WHEN age >= 15 THEN '高中' WHEN age >= 12 THEN '初中' WHEN age >= 6 THEN '小学'
                        ELSE '学前' END AS 学段,
                   NULL AS 年级,
                   CASE WHEN age = 17 OR (age >= 15 AND i % 3 = 0) THEN '是' ELSE '否' END AS 毕业年级,
                   CASE WHEN age >= 18 THEN CASE WHEN i % 9 = 0 THEN '否' ELSE '是' END END AS 全日制,
                   NULL AS 入学日期, hukou AS 户籍地行政区划代码, residence AS 现住址行政区划代码,
                   CASE WHEN i % 13 = 0 THEN '是' ELSE '否' END AS 留守儿童
            FROM (SELECT *, date_diff('year', birth, DATE '2026-11-01')
                            - CASE WHEN strftime(birth, '%m%d') > '1101' THEN 1 ELSE 0 END AS age
                  FROM police_rows) p
            WHERE status = '正常' AND ((grp = 'child' AND age >= 3)
                                       OR (grp = 'other' AND age BETWEEN 18 AND 22))""",
    }
    paths = {}
    for source, sql in queries.items():
        path = out / f"{source}.csv"
        con.execute(f"COPY ({sql}) TO '{path}' (HEADER, DELIMITER ',')")
        paths[source] = path
    _to_gb18030(paths["police"])
    return paths


def _to_gb18030(path: Path) -> None:
    tmp = path.with_suffix(".gb18030")
    with path.open(encoding="utf-8") as src, tmp.open("w", encoding="gb18030") as dst:
        while chunk := src.read(1 << 22):
            dst.write(chunk)
    tmp.replace(path)


def build_oltp(con, n: int) -> None:
    """Divisions, and registry children holding categories (0.5 % of the children)."""
    from django.db import transaction

    from huhang.core import crypto
    from huhang.regions.models import Division, Kind, Level
    from huhang.registry.models import CategoryAssignment, Child, Person

    with transaction.atomic():
        district = Division.objects.create(
            code="150203", name="昆都仑区", level=Level.DISTRICT, kind=Kind.DISTRICT
        )
        for s, (code, name) in enumerate(_streets(), start=1):
            street = Division.objects.create(
                code=code, name=name, level=Level.STREET, kind=Kind.STREET, parent=district
            )
            Division.objects.bulk_create(
                Division(code=f"{street.code}{c:03d}", name=f"社区{s}-{c}",
                         level=Level.COMMUNITY, kind=Kind.COMMUNITY, parent=street)
                for c in range(1, COMMUNITIES + 1)
            )  # fmt: skip
        rows = con.execute(
            """SELECT name, id_number, sex, birth, residence FROM police_rows
               WHERE grp = 'child' AND (i % 199 = 0 OR i % 2003 = 0 OR i % 4001 = 0 OR i % 3001 = 0
                                     OR i % 6560 < 60) AND residence LIKE '150203%'
                 AND residence <> '150203005099'"""
        ).fetchall()
        persons = Person.objects.bulk_create(
            Person(name=r[0], name_key=r[0], id_number=r[1], sex="M" if r[2] == "男" else "F",
                   birth_date=r[3])
            for r in rows
        )  # fmt: skip
        children = Child.objects.bulk_create(
            Child(person=p, division_id=r[4], search_name=p.name_key,
                  search_id=crypto.blind_index(p.id_number) or "",
                  search_last=(p.id_number or "")[-6:], search_birth=p.birth_date)
            for p, r in zip(persons, rows, strict=True)
        )  # fmt: skip
        cats = ("orphan", "dfuc", "difficulty", "left_behind", "migrant")
        CategoryAssignment.objects.bulk_create(
            CategoryAssignment(child=c, category=cats[k % len(cats)], status="candidate")
            for k, c in enumerate(children)
        )


# =================================================================================================
# The hand-written baseline: the same joins, plain SQL, no machinery
# =================================================================================================

BASELINE = """
WITH stu AS (
  SELECT e.*, COALESCE(l.id_number, 'edu:' || e.student_number) AS pk
  FROM education e LEFT JOIN links l ON l.batch = e.batch AND l."row" = e."row"),
ppl AS (
  SELECT id_number AS pk, id_number, birth_date, hukou_code, residence_code, father_id, mother_id,
         status, 'police' AS src FROM police
  UNION ALL
  SELECT DISTINCT ON (pk) pk, id_number, birth_date, hukou_code, residence_code, NULL, NULL, NULL,
         'education' FROM stu WHERE pk NOT IN (SELECT id_number FROM police)),
sit AS (
  SELECT id_number, status = 'dead' AS gone, COALESCE(CASE WHEN status = 'lost_contact'
         THEN status_date + INTERVAL 6 MONTH ELSE status_date END, DATE '1900-01-01') AS f,
         CAST(NULL AS DATE) AS t, NULL AS child
  FROM police WHERE status IN ('dead', 'deported')
     OR (status = 'lost_contact' AND status_date IS NOT NULL)
  UNION ALL
  SELECT id_number, judgment <> 'guardianship_revoked', judgment_date, NULL,
         CASE WHEN judgment = 'guardianship_revoked' THEN child_id END
  FROM court WHERE judgment IN ('declared_dead', 'declared_missing', 'guardianship_revoked')
  UNION ALL
  SELECT id_number, FALSE, issued_on, valid_until, NULL FROM disability
  WHERE level <= 2 OR (level <= 4 AND disability_kind IN ('intellectual', 'mental'))
  UNION ALL
  SELECT id_number, FALSE, recognised_on, end_date, NULL FROM health
  UNION ALL
  SELECT id_number, FALSE, start_date, end_date, NULL FROM justice
  WHERE end_date IS NULL OR end_date >= CASE WHEN day(start_date) = 1
        THEN start_date + INTERVAL 6 MONTH - INTERVAL 1 DAY
        ELSE start_date - INTERVAL 1 DAY + INTERVAL 6 MONTH END),
adopted AS (SELECT child_id FROM court WHERE judgment = 'adoption' AND judgment_date <= @as_of),
par AS (
  SELECT pk, id_number AS cid, 'f' AS role, father_id AS pid FROM ppl WHERE father_id IS NOT NULL
  UNION ALL SELECT pk, id_number, 'm', mother_id FROM ppl WHERE mother_id IS NOT NULL),
day AS (
  SELECT pk, 'now' AS p, @as_of AS d FROM ppl WHERE birth_date + INTERVAL 18 YEAR > @as_of
  UNION ALL
  SELECT pk, 'eve', CAST(birth_date + INTERVAL 18 YEAR - INTERVAL 1 DAY AS DATE) FROM ppl
  WHERE birth_date + INTERVAL 18 YEAR <= @as_of
    AND pk IN (SELECT pk FROM stu WHERE stage IN ('senior', 'vocational', 'higher')
               AND full_time)),
fam AS (
  SELECT day.pk, day.p,
         max(CASE WHEN role = 'f' AND gone THEN 1 ELSE 0 END) fg,
         max(CASE WHEN role = 'f' AND NOT gone THEN 1 ELSE 0 END) fe,
         max(CASE WHEN role = 'm' AND gone THEN 1 ELSE 0 END) mg,
         max(CASE WHEN role = 'm' AND NOT gone THEN 1 ELSE 0 END) me
  FROM day JOIN par ON par.pk = day.pk JOIN sit ON sit.id_number = par.pid
  WHERE sit.f <= day.d AND (sit.t IS NULL OR sit.t >= day.d)
    AND (sit.child IS NULL OR sit.child = par.cid)
  GROUP BY day.pk, day.p),
kinds AS (
  SELECT pk, p, CASE WHEN fg = 1 AND mg = 1 THEN 'orphan'
                     WHEN (fe = 1 AND me = 1) OR (fg = 1 AND me = 1) OR (mg = 1 AND fe = 1)
                     THEN 'dfuc' END AS k FROM fam),
minor AS (
  SELECT * FROM ppl WHERE birth_date + INTERVAL 18 YEAR > @as_of
    AND (status IS NULL OR status NOT IN ('dead', 'moved_out'))
    AND pk NOT IN (SELECT id_number FROM court WHERE judgment = 'declared_dead'
                   AND id_number IS NOT NULL AND judgment_date <= @as_of)),
absent AS (
  SELECT pk, 'f' AS role, 'unknown' AS why FROM minor WHERE src = 'police' AND father_id IS NULL
  UNION ALL SELECT pk, 'm', 'unknown' FROM minor WHERE src = 'police' AND mother_id IS NULL
  UNION ALL
  SELECT par.pk, par.role, 'away' FROM par JOIN police p ON p.id_number = par.pid
  WHERE p.residence_code NOT LIKE '@root%'
  UNION ALL
  SELECT par.pk, par.role, 'unable' FROM par JOIN sit ON sit.id_number = par.pid
  WHERE sit.f <= @as_of AND (sit.t IS NULL OR sit.t >= @as_of)
    AND (sit.child IS NULL OR sit.child = par.cid)),
pairs AS (
  SELECT DISTINCT x.pk, x.why AS a, y.why AS b FROM absent x JOIN absent y
  ON y.pk = x.pk AND y.role <> x.role),
held AS (SELECT person_key, category FROM registry WHERE category IS NOT NULL),
hits AS (
  SELECT CASE WHEN k = 'dfuc' AND m.hukou_code NOT LIKE '@root%' THEN 'referral' ELSE k END
         AS kind, kinds.pk AS pk
  FROM kinds JOIN minor m ON m.pk = kinds.pk
  WHERE p = 'now' AND k IS NOT NULL AND kinds.pk NOT IN (SELECT child_id FROM adopted)
  UNION ALL
  SELECT 'parent_unknown', pk FROM pairs WHERE a = 'unknown' AND b = 'unable'
  UNION ALL
  SELECT 'left_behind', p.pk FROM pairs p JOIN minor m ON m.pk = p.pk
  WHERE p.a = 'away' AND p.b = 'unable' AND m.birth_date + INTERVAL 16 YEAR > @as_of
  UNION ALL
  SELECT 'difficulty', p.pk FROM pairs p JOIN absent x ON x.pk = p.pk AND x.why = 'unable'
  JOIN par ON par.pk = p.pk JOIN court c ON c.id_number = par.pid
  WHERE c.judgment = 'guardianship_revoked' AND p.a IN ('unknown', 'away')
    AND p.pk NOT IN (SELECT pk FROM kinds WHERE p = 'now' AND k IS NOT NULL)
  UNION ALL
  SELECT 'difficulty', m.pk FROM minor m JOIN assistance a ON a.id_number = m.id_number
  WHERE a.start_date <= @as_of AND (a.end_date IS NULL OR a.end_date >= @as_of)
  UNION ALL
  SELECT 'difficulty', m.pk FROM minor m JOIN disability d ON d.id_number = m.id_number
  WHERE d.issued_on <= @as_of AND (d.valid_until IS NULL OR d.valid_until >= @as_of)
  UNION ALL
  SELECT 'difficulty', m.pk FROM minor m JOIN health h ON h.id_number = m.id_number
  WHERE h.recognised_on <= @as_of AND (h.end_date IS NULL OR h.end_date >= @as_of)
  UNION ALL
  SELECT 'left_behind', m.pk FROM minor m JOIN stu s ON s.pk = m.pk
  WHERE m.birth_date + INTERVAL 16 YEAR > @as_of AND s.left_behind
  UNION ALL
  SELECT 'left_behind', m.pk FROM minor m JOIN par ON par.pk = m.pk
  JOIN police p ON p.id_number = par.pid
  WHERE m.birth_date + INTERVAL 16 YEAR > @as_of AND COALESCE(m.residence_code, m.hukou_code)
        LIKE '@root%' AND p.residence_code IS NOT NULL AND p.residence_code NOT LIKE '@root%'
  GROUP BY m.pk HAVING count(*) = 2
  UNION ALL
  SELECT 'migrant', pk FROM minor WHERE src = 'police' AND residence_code LIKE '@root%'
    AND hukou_code NOT LIKE '@root%'
  UNION ALL
  SELECT 'migrant', m.pk FROM minor m JOIN stu s ON s.pk = m.pk WHERE m.hukou_code NOT LIKE '@root%'
  UNION ALL
  SELECT 'scholarship', k.pk FROM kinds k JOIN stu s ON s.pk = k.pk JOIN ppl p ON p.pk = k.pk
  WHERE k.p = 'eve' AND k.k IS NOT NULL AND s.stage IN ('senior', 'vocational', 'higher')
    AND s.full_time AND (p.status IS NULL OR p.status <> 'dead')
    AND (s.enrolled_on IS NULL OR s.enrolled_on <= make_date(year(p.birth_date) + 19, 9, 1))
    AND (k.pk NOT IN (SELECT child_id FROM adopted)
         OR k.pk IN (SELECT id_number FROM disability WHERE issued_on <= @as_of
                     AND (valid_until IS NULL OR valid_until >= @as_of)))
  UNION ALL
  SELECT 'autumn_aid', p.pk FROM ppl p JOIN assistance a ON a.id_number = p.id_number
  JOIN stu s ON s.pk = p.pk
  WHERE a.start_date <= @as_of AND (a.end_date IS NULL OR a.end_date >= @as_of)
    AND s.final_year AND s.stage IN ('senior', 'vocational')
    AND (p.status IS NULL OR p.status <> 'dead')),
starting AS (
  SELECT DISTINCT h.kind, h.pk FROM hits h
  WHERE h.kind IN ('scholarship', 'autumn_aid')
     OR NOT EXISTS (SELECT 1 FROM held WHERE held.person_key = h.pk AND held.category = h.kind)),
ending AS (
  SELECT 'turned_18' AS kind, r.person_key AS pk, r.category FROM registry r
  WHERE r.category IS NOT NULL AND r.birth_date + INTERVAL 18 YEAR <= @as_of
  UNION ALL
  SELECT CASE p.status WHEN 'dead' THEN 'deceased' ELSE 'moved_out' END, r.person_key, r.category
  FROM registry r JOIN police p ON p.id_number = r.person_key
  WHERE r.category IS NOT NULL AND (p.status IN ('dead', 'moved_out')
        OR (p.residence_code NOT LIKE '@root%' AND p.hukou_code NOT LIKE '@root%'))
  UNION ALL
  SELECT 'turned_16', r.person_key, r.category FROM registry r
  WHERE r.category = 'left_behind' AND r.birth_date + INTERVAL 16 YEAR <= @as_of
  UNION ALL
  SELECT 'deceased', r.person_key, r.category FROM registry r
  JOIN court c ON c.judgment = 'declared_dead' AND c.id_number = r.id_number
  WHERE r.category IS NOT NULL AND c.judgment_date <= @as_of
  UNION ALL
  SELECT 'review', r.person_key, r.category FROM registry r
  WHERE r.category = 'dfuc'
    AND r.person_key NOT IN (SELECT pk FROM kinds WHERE p = 'now' AND k IS NOT NULL)
  UNION ALL
  SELECT 'adopted', r.person_key, r.category FROM registry r
  JOIN court c ON c.judgment = 'adoption' AND c.child_id = r.id_number
  WHERE r.category IS NOT NULL AND c.judgment_date <= @as_of
  UNION ALL
  SELECT 'situation_ended', r.person_key, r.category FROM registry r
  WHERE r.category = 'dfuc'
    AND r.person_key NOT IN (SELECT pk FROM kinds WHERE p = 'now' AND k IS NOT NULL)
    AND r.person_key IN (
      SELECT par.pk FROM par JOIN sit ON sit.id_number = par.pid
      WHERE NOT sit.gone AND sit.t < @as_of AND (r.since IS NULL OR sit.t >= r.since)
      UNION ALL
      SELECT par.pk FROM par JOIN police p ON p.id_number = par.pid
      WHERE p.status = 'normal' AND p.status_date IS NOT NULL AND p.status_date <= @as_of
        AND (r.since IS NULL OR p.status_date >= r.since)))
SELECT s.kind, s.pk, COALESCE(d12.code, d9.code, d6.code, '@root') AS division
FROM starting s LEFT JOIN ppl p ON p.pk = s.pk
LEFT JOIN divisions d12 ON d12.code = COALESCE(p.residence_code, p.hukou_code)
LEFT JOIN divisions d9 ON d9.code = substr(COALESCE(p.residence_code, p.hukou_code), 1, 9)
LEFT JOIN divisions d6 ON d6.code = substr(COALESCE(p.residence_code, p.hukou_code), 1, 6)
UNION ALL
SELECT DISTINCT kind, pk, NULL FROM ending
"""


# =================================================================================================
# The worker
# =================================================================================================


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare(n: int, data_dir: Path) -> tuple[dict[str, Path], dict]:
    """Build (or reuse) the CSV files and the OLTP data in the worker's data directory."""
    import duckdb
    from django.core.management import call_command

    csv_dir = data_dir / "csv"
    marker = csv_dir / "done.json"
    if marker.exists():
        return {s: csv_dir / f"{s}.csv" for s in SOURCES}, json.loads(marker.read_text())
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    csv_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    build_people(con, n)
    paths = write_feeds(con, csv_dir)
    build_oltp(con, n)
    con.close()
    info = {
        "build_s": round(time.perf_counter() - started, 1),
        "rows": {s: sum(1 for _ in p.open("rb")) - 1 for s, p in paths.items()},
    }
    marker.write_text(json.dumps(info))
    return paths, info


def measure(n: int, data_dir: Path) -> dict:
    from django.conf import settings

    from huhang.screening.analytics import engines, rules
    from huhang.screening.feeds.selectors import current_batches
    from huhang.screening.feeds.services import feed_import
    from huhang.screening.runs.services import screen_run

    paths, info = _prepare(n, data_dir)
    print(f"bench.screening: data set {info}", flush=True)

    started = time.perf_counter()
    for source in SOURCES:
        outcome = feed_import(by=None, source=source, path=paths[source], as_of=AS_OF)
        print(
            f"  import {source}: {outcome.batch.accepted:,} accepted, "
            f"{outcome.batch.rejected:,} rejected",
            flush=True,
        )
    import_s = time.perf_counter() - started

    stamps: list[tuple[str, float]] = []
    started = time.perf_counter()
    run = screen_run(
        by=None,
        as_of=AS_OF,
        progress=lambda done, total, label: stamps.append((label, time.perf_counter())),
    )
    screen_s = time.perf_counter() - started
    stamps.append(("end", time.perf_counter()))
    stages = {a: round(t2 - t1, 2) for (a, t1), (_, t2) in itertools.pairwise(stamps)}
    rules_s = sum(v for k, v in stages.items() if k not in ("load", "linkage", "store"))

    # The baseline on the same snapshots and links (links made once more by the linkage).
    snapshots = {s: Path(settings.DATA_DIR) / b.snapshot for s, b in current_batches().items()}
    inputs = engines.inputs_load(snapshots)
    con = engines.duckdb_open(inputs)
    from huhang.screening.analytics.linkage import link_people

    link_people(con, as_of=AS_OF)
    sql = rules.bind(BASELINE, as_of=AS_OF, root=settings.HUHANG_ROOT_DIVISION)
    # The baseline and our rules in turn on the same connection, REPEAT times each: the medians
    # are compared (the machine is shared; one figure alone is noise).
    baseline_times, ours_times = [], []
    for _ in range(REPEAT):
        t = time.perf_counter()
        baseline_rows = con.sql(sql).to_arrow_table().num_rows
        baseline_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        ours = engines.run_duckdb(con, as_of=AS_OF, root=settings.HUHANG_ROOT_DIVISION)
        ours_times.append(time.perf_counter() - t)
    con.close()
    baseline_s, rules_again_s = statistics.median(baseline_times), statistics.median(ours_times)
    return {
        "people": n,
        "import_s": round(import_s, 2),
        "screen_s": round(screen_s, 2),
        "stages": stages,
        "rules_s": round(rules_again_s, 2),
        "rules_in_run_s": round(rules_s, 2),
        "rules_again_s": round(rules_again_s, 2),
        "baseline_s": round(baseline_s, 2),
        "baseline_rows": baseline_rows,
        "our_rows": ours.num_rows,
        "leads": run.stats,
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "rows": info["rows"],
    }


def measure_spark() -> dict:
    """Spark local on the snapshots the DuckDB worker imported (same data directory)."""
    import shutil

    if shutil.which("java") is None:
        return {"skipped": "no java"}
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return {"skipped": "no pyspark"}
    from django.conf import settings

    from huhang.screening.analytics import engines
    from huhang.screening.analytics.linkage import link_people
    from huhang.screening.feeds.selectors import current_batches

    snapshots = {s: Path(settings.DATA_DIR) / b.snapshot for s, b in current_batches().items()}
    inputs = engines.inputs_load(snapshots)
    con = engines.duckdb_open(inputs)
    link_people(con, as_of=AS_OF)
    inputs.links = engines.links_table(con)
    ours = engines.run_duckdb(con, as_of=AS_OF, root=settings.HUHANG_ROOT_DIVISION)
    con.close()
    spark = engines.spark_session()
    spark.sparkContext.setLogLevel("ERROR")
    spark.conf.set("spark.sql.shuffle.partitions", "8")
    t = time.perf_counter()
    theirs = engines.run_spark(inputs, as_of=AS_OF, root=settings.HUHANG_ROOT_DIVISION)
    spark_s = time.perf_counter() - t
    spark.stop()
    return {
        "spark_s": round(spark_s, 2),
        "same": theirs.equals(ours),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.screening")
    parser.add_argument("--people", type=int, default=SIZES["district"])
    parser.add_argument("--spark-only", action="store_true")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    if "HUHANG_DATA_DIR" not in os.environ:
        os.environ["HUHANG_DATA_DIR"] = tempfile.mkdtemp(prefix="huhang-bench-screening-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huhang.settings")
    os.environ.setdefault("HUHANG_DEBUG", "0")
    import django

    django.setup()
    data_dir = Path(os.environ["HUHANG_DATA_DIR"])
    figures = measure_spark() if args.spark_only else measure(args.people, data_dir)
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    if args.output:
        args.output.write_text(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
