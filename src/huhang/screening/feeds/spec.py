"""What each department's file looks like (FEEDS.md), as data.

Each source is a list of columns: the Chinese header, the snapshot field it fills
(`analytics/schema.py`), the kind of value and whether the column must be there and the cell
must be filled. The validator (`validate.py`) turns this table into one DuckDB query per file,
so a reader can check a source's rules here, line by line, against FEEDS.md.

Kinds:
- ``name``   a person's name: kept as written (spaces trimmed) in the field, plus its matching
             form (`core.names.normalize`) in ``name_key``;
- ``text``   free text (full-width letters and digits folded, spaces trimmed);
- ``id``     a 公民身份号码 (GB 11643), checked as core.idnumber does;
- ``date``   ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``YYYYMMDD`` or a spreadsheet date cell;
- ``code``   one of the Chinese labels of ``codes`` (stored as the stable code);
- ``region`` a 12-digit division code (checked for shape only; the tree is the rules' business).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from huhang.screening.analytics import schema


@dataclass(frozen=True)
class Col:
    header: str
    field: str
    kind: str
    # The column must be in the header row (a file without it is refused as a whole).
    column_required: bool = True
    # The cell must be filled (a blank cell rejects the row).
    cell_required: bool = True
    # (`dataclasses.field` in full: this class has a field named `field`.)
    codes: dict = dataclasses.field(default_factory=dict)


def _req(header: str, name: str, kind: str, codes: dict | None = None) -> Col:
    return Col(header, name, kind, codes=codes or {})


def _opt(header: str, name: str, kind: str, codes: dict | None = None) -> Col:
    return Col(header, name, kind, column_required=False, cell_required=False, codes=codes or {})


@dataclass(frozen=True)
class Source:
    code: str
    columns: tuple[Col, ...]
    # (sex field, birth date field) that must agree with `id_number` where it is filled.
    agree_with_id: tuple[str, str] | None = None
    # (start field, end field): an end before its start rejects the row.
    period: tuple[str, str] | None = None
    # A field whose value may appear only once in a file (the later rows are rejected).
    unique: str | None = None

    def column(self, name: str) -> Col:
        return next(c for c in self.columns if c.field == name)


SOURCES: dict[str, Source] = {
    "police": Source(
        "police",
        (
            _req("姓名", "name", "name"),
            _req("公民身份号码", "id_number", "id"),
            _req("性别", "sex", "code", schema.SEX),
            _req("出生日期", "birth_date", "date"),
            _req("户籍地行政区划代码", "hukou_code", "region"),
            _opt("现住址行政区划代码", "residence_code", "region"),
            _opt("父亲公民身份号码", "father_id", "id"),
            _opt("母亲公民身份号码", "mother_id", "id"),
            _req("人员状态", "status", "code", schema.POLICE_STATUS),
            _opt("状态日期", "status_date", "date"),
        ),
        agree_with_id=("sex", "birth_date"),
        unique="id_number",
    ),
    "justice": Source(
        "justice",
        (
            _req("姓名", "name", "name"),
            _req("公民身份号码", "id_number", "id"),
            _req("措施类型", "measure", "code", schema.JUSTICE_MEASURE),
            _req("起始日期", "start_date", "date"),
            _opt("终止日期", "end_date", "date"),
            _opt("执行机关", "agency", "text"),
        ),
        period=("start_date", "end_date"),
    ),
    "court": Source(
        "court",
        (
            _req("姓名", "name", "name"),
            _req("公民身份号码", "id_number", "id"),
            _req("判决类型", "judgment", "code", schema.COURT_JUDGMENT),
            _req("判决日期", "judgment_date", "date"),
            _opt("案号", "case_number", "text"),
            _opt("关联儿童身份号码", "child_id", "id"),
        ),
    ),
    "disability": Source(
        "disability",
        (
            _req("姓名", "name", "name"),
            _req("公民身份号码", "id_number", "id"),
            _req("残疾类别", "disability_kind", "code", schema.DISABILITY_KIND),
            _req("残疾等级", "level", "code", schema.DISABILITY_LEVEL),
            _req("发证日期", "issued_on", "date"),
            _opt("有效期至", "valid_until", "date"),
        ),
        period=("issued_on", "valid_until"),
    ),
    "health": Source(
        "health",
        (
            _req("姓名", "name", "name"),
            _req("公民身份号码", "id_number", "id"),
            _req("病种", "disease", "text"),
            _req("认定日期", "recognised_on", "date"),
            _opt("终止日期", "end_date", "date"),
        ),
        period=("recognised_on", "end_date"),
    ),
    "assistance": Source(
        "assistance",
        (
            _req("户主姓名", "head_name", "text"),
            _req("户主公民身份号码", "head_id", "id"),
            _req("成员姓名", "name", "name"),
            _req("成员公民身份号码", "id_number", "id"),
            _req("救助类型", "assistance", "code", schema.ASSISTANCE_KIND),
            _req("起始日期", "start_date", "date"),
            _opt("终止日期", "end_date", "date"),
            _req("行政区划代码", "region_code", "region"),
        ),
        period=("start_date", "end_date"),
    ),
    "education": Source(
        "education",
        (
            _req("姓名", "name", "name"),
            # "May be blank": the column is expected, the cell may be empty (some migrant
            # children have no ID number on file).
            Col("公民身份号码", "id_number", "id", cell_required=False),
            _req("学籍号", "student_number", "text"),
            _req("性别", "sex", "code", schema.SEX),
            _req("出生日期", "birth_date", "date"),
            _req("学校名称", "school", "text"),
            _req("学段", "stage", "code", schema.SCHOOL_STAGE),
            _opt("年级", "grade", "text"),
            _opt("毕业年级", "final_year", "code", schema.YES_NO),
            _opt("全日制", "full_time", "code", schema.YES_NO),
            _opt("入学日期", "enrolled_on", "date"),
            _opt("户籍地行政区划代码", "hukou_code", "region"),
            _opt("现住址行政区划代码", "residence_code", "region"),
            _opt("留守儿童", "left_behind", "code", schema.YES_NO),
        ),
        agree_with_id=("sex", "birth_date"),
        unique="student_number",
    ),
}

assert set(SOURCES) == set(schema.SOURCES), "every snapshot schema has a file spec"
