"""The two engines that run `rules.py`: DuckDB (embedded, the default) and Apache Spark.

Both read the same inputs — the current Parquet snapshot of each feed, the `links` the linkage
made, and the registry and the division tree exported from the OLTP database as Arrow tables (one
query each) — run the same SQL (DuckDB's dialect as written; Spark's through sqlglot), and return
the same table (`rules.LEAD_SCHEMA`), sorted, so that the two can be compared row for row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from huhang.core import crypto
from huhang.screening.analytics import rules
from huhang.screening.analytics.schema import SCHEMAS, SOURCES

Progress = Callable[[str], None]

REGISTRY_SCHEMA = pa.schema(
    [
        ("child_id", pa.int64()),
        ("person_key", pa.string()),
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("division_code", pa.string()),
        ("category", pa.string()),
        # The day the category took effect (approved), NULL before approval.
        ("since", pa.date32()),
    ]
)
# Every division's code, and every code retired by a 区划调整 (regions.DivisionAlias), each with
# the code of the division it stands for now ("current"): a feed may still write an old code.
DIVISIONS_SCHEMA = pa.schema([("code", pa.string()), ("current", pa.string())])
LINKS_SCHEMA = pa.schema(
    [
        ("batch", pa.int64()),
        ("row", pa.int32()),
        ("id_number", pa.string()),
        ("match_probability", pa.float64()),
        ("method", pa.string()),
    ]
)


@dataclass
class Inputs:
    """What one screening reads: a snapshot path per source (None: no batch yet), the registry and
    the division tree; `links` is filled in by the linkage."""

    snapshots: dict[str, Path | None]
    registry: pa.Table
    divisions: pa.Table
    links: pa.Table | None = None
    counts: dict[str, int] = field(default_factory=dict)


# --- Exports from the OLTP database (one query each) -------------------------------------------


def _fetch(
    sql: str, schema: pa.Schema, decrypt: Callable[[tuple], tuple] | None = None
) -> pa.Table:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    if decrypt is not None:
        rows = [decrypt(r) for r in rows]
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table(
        [_array(list(c), f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )


def _array(values: list, type_: pa.DataType) -> pa.Array:
    # SQLite hands dates back as ISO strings: Arrow parses them.
    if pa.types.is_date(type_) and any(isinstance(v, str) for v in values):
        return pa.array(values, pa.string()).cast(type_)
    return pa.array(values, type_)


def registry_export() -> pa.Table:
    """The active children with the categories they hold (candidate, verified, approved; one row
    each, or one row with a NULL category)."""
    from huhang.registry.models import CategoryAssignment, Child, Person

    child, person, cat = (
        Child._meta.db_table,
        Person._meta.db_table,
        CategoryAssignment._meta.db_table,
    )
    # ID numbers are encrypted at rest (core.crypto): decrypted here, for the snapshot the
    # rules match feeds against, and nowhere else in the screening.
    return _fetch(
        f"""
        SELECT c.id, 'reg:' || CAST(c.id AS VARCHAR(20)), p.id_number,
               p.name, p.sex, p.birth_date, c.division_id, a.category, a.effective_from
        FROM {child} c
        JOIN {person} p ON p.id = c.person_id
        LEFT JOIN {cat} a ON a.child_id = c.id
                         AND a.status IN ('candidate', 'verified', 'approved')
        WHERE c.status = 'active'
        """,
        REGISTRY_SCHEMA,
        decrypt=_registry_ids,
    )


def _registry_ids(row: tuple) -> tuple:
    if not row[2]:
        return row
    clear = crypto.decrypt_id(row[2])
    return (row[0], clear, clear, *row[3:])


def divisions_export() -> pa.Table:
    from huhang.regions.models import Division, DivisionAlias

    division, alias = Division._meta.db_table, DivisionAlias._meta.db_table
    return _fetch(
        f"""
        SELECT code, code FROM {division}
        UNION ALL
        SELECT a.code, a.division_id FROM {alias} a
        WHERE NOT EXISTS (SELECT 1 FROM {division} d WHERE d.code = a.code)
        """,
        DIVISIONS_SCHEMA,
    )


def inputs_load(snapshots: dict[str, Path | None]) -> Inputs:
    return Inputs(snapshots=snapshots, registry=registry_export(), divisions=divisions_export())


# --- DuckDB ------------------------------------------------------------------------------------


def duckdb_open(inputs: Inputs, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the feeds as views over their snapshots (an empty table of the
    source's schema where there is none yet) and the registry and divisions registered."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for source in SOURCES:
        path = inputs.snapshots.get(source)
        if path is not None:
            literal = str(path).replace("'", "''")
            con.execute(f"CREATE VIEW {source} AS SELECT * FROM read_parquet('{literal}')")
        else:
            con.register(source, SCHEMAS[source].empty_table())
    con.register("registry", inputs.registry)
    con.register("divisions", inputs.divisions)
    return con


def run_duckdb(
    con: duckdb.DuckDBPyConnection, *, as_of: date, root: str, progress: Progress | None = None
) -> pa.Table:
    """Run the rules in `con` (which holds the inputs and `links`); return the leads."""
    for step, sql in rules.statements(as_of=as_of, root=root):
        if progress:
            progress(step.name)
        kind = "TABLE" if step.materialise else "VIEW"
        con.execute(f"CREATE OR REPLACE TEMP {kind} {step.name} AS {sql}")
    # The final form is computed where the steps are, without a round trip through Arrow.
    for name, query in (("leads", rules.LEADS_QUERY), ("evidence", rules.EVIDENCE_QUERY)):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS {rules.bind(query, as_of=as_of, root=root)}"
        )
    return rules.finalise_in(con)


def links_table(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The links the linkage left in `con`, for an engine that runs elsewhere."""
    table = con.sql(
        'SELECT batch, "row", id_number, match_probability, method FROM links'
    ).to_arrow_table()
    return table.cast(LINKS_SCHEMA)


# --- Spark -------------------------------------------------------------------------------------


def spark_missing() -> str | None:
    """Why Spark cannot run here (pyspark or Java absent), or None when it can."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return _("本机未安装 Spark（pip install 'huhang[spark]'）。")
    if shutil.which("java") is None:
        return _("Spark 需要 Java 17，本机未找到 java。")
    return None


def spark_session():
    """The Spark session (master from HUHANG_SPARK_MASTER); an existing one is reused."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    return (
        SparkSession.builder.master(settings.HUHANG_SPARK_MASTER)
        .appName("huhang-screening")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        .getOrCreate()
    )


def to_spark(sql: str) -> str:
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


def run_spark(
    inputs: Inputs, *, as_of: date, root: str, progress: Progress | None = None
) -> pa.Table:
    """The same rules on Spark: the snapshots read as Parquet, the Arrow tables as DataFrames."""
    spark = spark_session()
    views: list[str] = []
    # Every step is checkpointed (computed, and its lineage cut): the rules read earlier steps
    # several times each, and Spark would otherwise analyse the whole chain again under every
    # reference — a plan that grows with each step until the driver runs out of time or heap.
    # The checkpoints' blocks are released at the end.
    persistent = spark.sparkContext._jsc.getPersistentRDDs()
    before = set(persistent.keys())

    def register(name: str, frame) -> None:
        frame.createOrReplaceTempView(name)
        views.append(name)

    try:
        for source in SOURCES:
            path = inputs.snapshots.get(source)
            if path is not None:
                register(source, spark.read.parquet(str(path)))
            else:
                register(source, spark.createDataFrame(SCHEMAS[source].empty_table()))
        links = inputs.links if inputs.links is not None else LINKS_SCHEMA.empty_table()
        register("links", spark.createDataFrame(links))
        register("registry", spark.createDataFrame(inputs.registry))
        register("divisions", spark.createDataFrame(inputs.divisions))
        for step, sql in rules.statements(as_of=as_of, root=root):
            if progress:
                progress(step.name)
            register(step.name, spark.sql(to_spark(sql)).localCheckpoint(eager=True))
        leads = spark.sql(to_spark(rules.bind(rules.LEADS_QUERY, as_of=as_of, root=root)))
        evidence = spark.sql(to_spark(rules.bind(rules.EVIDENCE_QUERY, as_of=as_of, root=root)))
        return rules.finalise(leads.toArrow(), evidence.toArrow())
    finally:
        persistent = spark.sparkContext._jsc.getPersistentRDDs()
        for key in set(persistent.keys()) - before:
            persistent[key].unpersist(False)
        for name in views:
            spark.catalog.dropTempView(name)
