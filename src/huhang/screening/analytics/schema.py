"""The analytical store's contract: one Parquet snapshot per imported batch.

FEEDS.md gives the department columns (Chinese names, Chinese codes); the importer validates and
normalises each row into the English columns below, and writes the accepted rows of a batch to
`<data dir>/feeds/<source>/batch-<id>.parquet`. The screening rules read only these columns; the
codes are the stable ones of the registry (`registry.models.SituationKind`, `SchoolStage`,
`AssistanceType`, `Sex`) where such exist.

Every snapshot also carries `batch` (the FeedBatch id) and `row` (the spreadsheet row number,
header = 1) so that each lead can name its evidence. Names keep the original spelling in `name`
and the matching form (`core.names.normalize`) in `name_key`.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from huhang.core.filemodes import make_private

_COMMON = [("batch", pa.int64()), ("row", pa.int32())]


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema(_COMMON + list(fields))


# Codes used in the snapshots (FEEDS.md label → stable code).
POLICE_STATUS = {
    "正常": "normal",
    "死亡": "dead",
    "迁出": "moved_out",
    "失联": "lost_contact",
    "被遣送出境": "deported",
}
JUSTICE_MEASURE = {
    "服刑在押": "imprisoned",
    "强制隔离戒毒": "drug_rehab",
    "其他限制人身自由措施": "liberty_restricted",
}
COURT_JUDGMENT = {
    "宣告死亡": "declared_dead",
    "宣告失踪": "declared_missing",
    "撤销监护资格": "guardianship_revoked",
    "收养": "adoption",
}
DISABILITY_KIND = {
    "视力": "visual",
    "听力": "hearing",
    "言语": "speech",
    "肢体": "physical",
    "智力": "intellectual",
    "精神": "mental",
    "多重": "multiple",
}
DISABILITY_LEVEL = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "1": 1, "2": 2, "3": 3, "4": 4}
ASSISTANCE_KIND = {"城市低保": "urban_dibao", "农村低保": "rural_dibao", "特困供养": "tekun"}
SCHOOL_STAGE = {
    "学前": "preschool",
    "小学": "primary",
    "初中": "junior",
    "高中": "senior",
    "中职": "vocational",
    "高等教育": "higher",
}
SEX = {"男": "M", "女": "F"}
YES_NO = {"是": True, "否": False}

SCHEMAS: dict[str, pa.Schema] = {
    "police": _schema(
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("id_number", pa.string()),
        ("sex", pa.string()),  # M / F
        ("birth_date", pa.date32()),
        ("hukou_code", pa.string()),  # 12 digits
        ("residence_code", pa.string()),  # 12 digits or null
        ("father_id", pa.string()),
        ("mother_id", pa.string()),
        ("status", pa.string()),  # POLICE_STATUS values
        ("status_date", pa.date32()),
    ),
    "justice": _schema(
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("id_number", pa.string()),
        ("measure", pa.string()),  # JUSTICE_MEASURE values
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),  # null = open-ended
        ("agency", pa.string()),
    ),
    "court": _schema(
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("id_number", pa.string()),
        ("judgment", pa.string()),  # COURT_JUDGMENT values
        ("judgment_date", pa.date32()),
        ("case_number", pa.string()),
        ("child_id", pa.string()),  # for adoption / guardianship revoked
    ),
    "disability": _schema(
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("id_number", pa.string()),
        ("disability_kind", pa.string()),  # DISABILITY_KIND values
        ("level", pa.int8()),  # 1..4
        ("issued_on", pa.date32()),
        ("valid_until", pa.date32()),  # null = no expiry
    ),
    "health": _schema(
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("id_number", pa.string()),
        ("disease", pa.string()),
        ("recognised_on", pa.date32()),
        ("end_date", pa.date32()),
    ),
    "assistance": _schema(
        ("head_name", pa.string()),
        ("head_id", pa.string()),
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("id_number", pa.string()),
        ("assistance", pa.string()),  # ASSISTANCE_KIND values
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("region_code", pa.string()),
    ),
    "education": _schema(
        ("name", pa.string()),
        ("name_key", pa.string()),
        ("id_number", pa.string()),  # may be null
        ("student_number", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("school", pa.string()),
        ("stage", pa.string()),  # SCHOOL_STAGE values
        ("grade", pa.string()),
        ("final_year", pa.bool_()),
        ("full_time", pa.bool_()),
        ("enrolled_on", pa.date32()),
        ("hukou_code", pa.string()),
        ("residence_code", pa.string()),
        ("left_behind", pa.bool_()),
    ),
}

SOURCES = tuple(SCHEMAS)


def snapshot_relpath(source: str, batch_id: int) -> str:
    """Where a batch's snapshot lives, relative to the data directory."""
    return f"feeds/{source}/batch-{batch_id}.parquet"


# Rows per Parquet row group: DuckDB (and Spark) split a scan by row groups, so a million-row
# population register written as one group (pyarrow's default) is read by one core only.
# DuckDB's own row-group size.
ROW_GROUP_ROWS = 122_880


def parquet_write(table: pa.Table, path: Path) -> None:
    """A snapshot's file: zstd-compressed, in row groups that every core can scan."""
    pq.write_table(table, path, compression="zstd", row_group_size=ROW_GROUP_ROWS)
    make_private(path)


def snapshot_write(source: str, batch_id: int, table: pa.Table) -> str:
    """Write a batch's accepted rows (cast to the source's schema); return the relative path.

    Written to a temporary name and renamed, so a crash never leaves half a snapshot."""
    table = table.select(SCHEMAS[source].names).cast(SCHEMAS[source])
    rel = snapshot_relpath(source, batch_id)
    path = Path(settings.DATA_DIR) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    parquet_write(table, tmp)
    tmp.replace(path)
    return rel
