"""Checking and normalising a file's rows, column at a time (pyarrow compute).

For every column of the source (`spec.py`) this computes the cleaned text (NFKC folding of
full-width letters, digits and punctuation and of the ideographic space, surrounding spaces
trimmed, blank → unknown), the typed value and an error code per row. Row rules (sex and birth
date agree with the ID number, an end not before its start, a value unique in the file) add
their codes to the column they concern. Nothing loops over rows in Python except the rejected
ones, whose messages are written here, and the *distinct* values of date and name columns.

A million-row population register is checked in a few seconds this way; an earlier version in
DuckDB SQL spent most of its time converting strings between Arrow and DuckDB and back.

The ID-number check is GB 11643 as `core.idnumber.parse` has it (a property test compares the
two); the messages of rejected numbers come from `core.idnumber` itself.

A spreadsheet's number format is not the department's data: an ID number, 学籍号 or division
code that reached us as a number cell (or as its scientific-notation text, 1.50203201204216E+17)
has lost digits already, so it is refused with that reason, first, and never "repaired" or checked
for a check digit it no longer has; a column made of such cells gets one notice at the top of the
result. Dates may be text, date cells, or Excel serial numbers (5 digits, e.g. 45658 = 2025-01-01).
A name a spreadsheet would evaluate, or that carries control characters or markup, is refused.

Only the first `HUHANG_FEED_ERRORS_KEPT` rejected cells get a message (in row order); the others
are counted, by column and reason, so that a file of a million bad rows costs no more than one of
a thousand.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.utils.translation import gettext as _

from huhang.core import idnumber, names
from huhang.core.id_messages import id_error_message, name_error_message
from huhang.screening.analytics.schema import SCHEMAS
from huhang.screening.feeds import namekeys
from huhang.screening.feeds.reader import FeedFileError, RawTable
from huhang.screening.feeds.spec import SOURCES, Col, Source

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_MAX_SHOWN = 40  # characters of a refused value quoted in a message
_DATE_RE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"
    r"|([0-9]{4})([0-9]{2})([0-9]{2})"
)
# An Excel serial day number (5 digits: 1927-05-18 to 2173-10-14), perhaps with a time.
_SERIAL_RE = re.compile(r"([0-9]{5})(?:\.[0-9]+)?")
_SERIAL_EPOCH = {False: datetime.date(1899, 12, 30), True: datetime.date(1904, 1, 1)}
# A number written by a spreadsheet in scientific notation (the digits beyond 15 are gone).
_SCIENTIFIC = r"^[0-9](\.[0-9]+)?[eE][+]?[0-9]+$"
# core.names.name_problem in RE2 (Arrow's regex dialect); a property test keeps the two equal.
NAME_PROBLEM_RE2 = (
    r"^[ \t\n\r\f\v]*[=+\-@＝＋－＠]|[\x00-\x1f\x7f-\x{9f}\x{2028}\x{2029}\x{202a}-\x{202e}\x{2066}-\x{2069}]"
    r"|[<>]|&#?[A-Za-z0-9_]+;|(?i:javascript:|https?://|www\.)"
)
# Columns whose cells must be text: a number cell there has lost digits or leading zeros.
_TEXT_ONLY_KINDS = ("id", "region")
_TEXT_ONLY_FIELDS = ("student_number",)

# Error codes per cell (0 = fine); the first one found for a cell is kept.
OK, BLANK, INVALID, SEX, BIRTH, PERIOD, DUPLICATE, NUMERIC, NAME = range(9)


@dataclass
class Checked:
    accepted: pa.Table  # the snapshot's columns except `batch`
    # (row, column header, message) of the first rejected cells, in row order (bounded).
    errors: list[tuple[int, str, str]]
    rows: int
    rejected: int
    # Every rejected cell, counted: (column header, reason, count), most frequent first.
    error_counts: list[tuple[str, str, int]]
    error_total: int
    # Messages about the file as a whole, for the top of the result (a numeric ID column).
    notices: list[str]


# --- values -------------------------------------------------------------------------------------


def clean_column(column: pa.Array | pa.ChunkedArray, kind: str) -> pa.Array:
    """The cleaned text of raw cells (NULL when blank): NFKC (full-width letters, digits and
    punctuation, the ideographic space), surrounding white space trimmed. A name is shown as
    written, so it only loses the spaces around it; an ID number's x becomes X."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if kind in ("code", "date", "region"):
        # Few distinct values: clean each once.
        encoded = column.dictionary_encode()
        return clean_column(encoded.dictionary, "text").take(encoded.indices)
    if kind != "name" and not pc.all(pc.string_is_ascii(column)).as_py():
        column = pc.utf8_normalize(column, "NFKC")
    column = pc.utf8_trim_whitespace(column)
    if kind == "id":
        column = pc.utf8_upper(column)
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def parse_date(text: str, date1904: bool = False) -> datetime.date | None:
    """``YYYY-MM-DD``, ``YYYY/MM/DD`` (month and day may have one digit), ``YYYYMMDD`` or an
    Excel serial day number (5 digits; counted from 1904 in a workbook that says so); None if
    it is none of these, not a real day, or before 1900."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        serial = _SERIAL_RE.fullmatch(text)
        if serial is None:
            return None
        return _SERIAL_EPOCH[date1904] + datetime.timedelta(days=int(serial.group(1)))
    y, m, d = (int(g) for g in match.groups() if g is not None)
    try:
        day = datetime.date(y, m, d)
    except ValueError:
        return None
    return day if y >= 1900 else None


def date_column(values: pa.Array, date1904: bool = False) -> pa.Array:
    """`parse_date` over a column, once per distinct value."""
    encoded = values.dictionary_encode()
    parsed = [parse_date(v, date1904) for v in encoded.dictionary.to_pylist()]
    return pa.array(parsed, pa.date32()).take(encoded.indices)


def code_column(values: pa.Array, codes: dict) -> pa.Array:
    """The stable code of each label; NULL for a blank or unknown label."""
    labels = pa.array(list(codes), pa.string())
    sample = next(iter(codes.values()))
    kind = (
        pa.bool_()
        if isinstance(sample, bool)
        else pa.int8()
        if isinstance(sample, int)
        else pa.string()
    )
    return pa.array(list(codes.values()), kind).take(pc.index_in(values, value_set=labels))


@dataclass
class IdCheck:
    valid: pa.Array  # bool; NULL where the cell is blank
    sex: pa.Array  # "M" / "F" (meaningful only where valid)
    birth: pa.Array  # date32 (meaningful only where valid)


def _weights_table(weights: tuple[int, ...]) -> pa.Array:
    """Weighted digit sum of every number with len(weights) digits (index = the number)."""
    sums = [0]
    for weight in weights:
        sums = [total + digit * weight for total in sums for digit in range(10)]
    return pa.array(sums, pa.int32())


# The 17 weighted digits in groups of four (a 10,000-entry table each) and the last one: five
# lookups per number instead of seventeen multiplications.
_GROUPS = [(a, min(a + 4, 17)) for a in range(0, 17, 4)]
_GROUP_SUMS = [_weights_table(_WEIGHTS[a:b]) for a, b in _GROUPS]
_CHECK_CHARS = pa.array(list("10X98765432"), pa.string())


def id_column(values: pa.Array, today: datetime.date) -> IdCheck:
    """GB 11643 for a whole column: 18 characters, 17 digits and a digit or X, a real birth
    date from 1900 up to today, and the ISO 7064 MOD 11-2 check character. Blank cells give
    NULL; only the filled ones are checked (parents' columns are mostly blank)."""
    filled = pc.is_valid(values)
    if values.null_count == 0:
        return _id_check(values, today)
    check = _id_check(values.filter(filled), today)
    # Row i of the column is row (filled cells before i) of the check; blank rows take NULL.
    position = pc.subtract(pc.cumulative_sum(pc.cast(filled, pa.int64())), 1)
    index = pc.if_else(filled, position, pa.scalar(None, pa.int64()))
    return IdCheck(*(pc.take(column, index) for column in (check.valid, check.sex, check.birth)))


def _id_check(values: pa.Array, today: datetime.date) -> IdCheck:
    shape_ok = pc.fill_null(pc.match_substring_regex(values, "^[0-9]{17}[0-9X]$"), False)
    # Malformed cells are replaced by zeros so that every step below can parse every cell.
    padded = pc.if_else(shape_ok, values, "0" * 18)
    total = None
    for (a, b), sums in zip(_GROUPS, _GROUP_SUMS, strict=True):
        part = sums.take(pc.cast(pc.utf8_slice_codeunits(padded, a, b), pa.int32()))
        total = part if total is None else pc.add(total, part)
    expected = _CHECK_CHARS.take(pc.modulo(total, 11))
    check_ok = pc.equal(expected, pc.utf8_slice_codeunits(padded, 17, 18))
    birth = pc.cast(
        pc.strptime(
            pc.utf8_slice_codeunits(padded, 6, 14), format="%Y%m%d", unit="s", error_is_null=True
        ),
        pa.date32(),
    )
    # Arrow's strptime rolls a day past the month's end over (0230 → 3 March): a real day
    # has the month and the day it was written with.
    written = pc.cast(pc.utf8_slice_codeunits(padded, 10, 14), pa.int32())
    real_day = pc.equal(pc.add(pc.multiply(pc.month(birth), 100), pc.day(birth)), written)
    birth_ok = pc.and_(
        real_day,
        pc.and_(
            pc.greater_equal(birth, pa.scalar(datetime.date(1900, 1, 1), pa.date32())),
            pc.less_equal(birth, pa.scalar(today, pa.date32())),
        ),
    )
    ok = pc.and_(shape_ok, pc.and_(check_ok, pc.fill_null(birth_ok, False)))
    odd = pc.equal(pc.modulo(pc.cast(pc.utf8_slice_codeunits(padded, 16, 17), pa.int8()), 2), 1)
    sex = pc.if_else(odd, "M", "F")
    valid = pc.if_else(pc.is_null(values), pa.scalar(None, pa.bool_()), ok)
    return IdCheck(valid=valid, sex=sex, birth=birth)


# --- the file -----------------------------------------------------------------------------------


def map_header(source: Source, header: list[str]) -> dict[str, int]:
    """field → column index; refuses a file that lacks a required column or repeats one."""
    position: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = unicodedata.normalize("NFKC", cell).strip()
        col = next((c for c in source.columns if c.header == name), None)
        if col is None:
            continue  # extra columns are kept in the file but ignored
        if col.field in position:
            raise FeedFileError(_("列“%(c)s”出现了不止一次。") % {"c": name})
        position[col.field] = i
    missing = [c.header for c in source.columns if c.column_required and c.field not in position]
    if missing:
        raise FeedFileError(_("缺少必需的列：%(c)s。") % {"c": "、".join(missing)})
    return position


def _first(codes: pa.Array, condition: pa.Array, code: int) -> pa.Array:
    """Set `code` where the cell has no error yet and `condition` holds."""
    hit = pc.and_(pc.equal(codes, OK), pc.fill_null(condition, False))
    return pc.if_else(hit, pa.scalar(code, pa.int8()), codes)


class _Columns:
    """The values, typed values and error codes of one file, by field."""

    def __init__(self, source: Source, raw: RawTable, present: dict[str, int], today) -> None:
        self.source = source
        self.cols = [c for c in source.columns if c.field in present]
        self.row = raw.table["row"].combine_chunks()
        self.text: dict[str, pa.Array] = {}
        self.typed: dict[str, pa.Array] = {}
        self.codes: dict[str, pa.Array] = {}
        self.ids: dict[str, IdCheck] = {}
        self.first_dup: pa.Array | None = None
        self.date1904 = raw.date1904
        # field → (cells stored as numbers, cells filled) for the text-only columns.
        self.numeric: dict[str, tuple[int, int]] = {}
        for col in self.cols:
            v = clean_column(raw.table[f"c{present[col.field]}"], col.kind)
            self.text[col.field] = v
            blank = BLANK if col.cell_required else OK
            codes = pc.if_else(pc.is_null(v), pa.scalar(blank, pa.int8()), pa.scalar(OK, pa.int8()))
            if col.kind in _TEXT_ONLY_KINDS or col.field in _TEXT_ONLY_FIELDS:
                numeric = self._numeric(col, v, raw.numeric.get(present[col.field]))
                codes = _first(codes, numeric, NUMERIC)
            if _is_name(col):
                codes = _first(codes, pc.match_substring_regex(v, NAME_PROBLEM_RE2), NAME)
            typed, invalid = self._typed(col, v, today)
            self.typed[col.field] = typed
            self.codes[col.field] = codes if invalid is None else _first(codes, invalid, INVALID)
        self._rules()

    def _numeric(self, col: Col, v: pa.Array, flags: pa.Array | None) -> pa.Array:
        """Cells that were numbers in the workbook, or their scientific-notation text."""
        numeric = pc.fill_null(pc.match_substring_regex(v, _SCIENTIFIC), False)
        if flags is not None:
            numeric = pc.or_(numeric, pc.and_(flags, pc.is_valid(v)))
        count = pc.sum(numeric).as_py() or 0
        if count:
            # An ID ending in X cannot be a number: it stays text, and does not make the
            # column any less "all numbers".
            never = pc.sum(pc.fill_null(pc.match_substring_regex(v, "^[0-9]{17}X$"), False))
            self.numeric[col.field] = (count, len(v) - v.null_count - (never.as_py() or 0))
        return numeric

    def _typed(self, col: Col, v: pa.Array, today) -> tuple[pa.Array, pa.Array | None]:
        if col.kind == "id":
            check = self.ids[col.field] = id_column(v, today)
            return v, pc.invert(check.valid)
        if col.kind == "date":
            typed = date_column(v, self.date1904)
            return typed, pc.and_(pc.is_valid(v), pc.is_null(typed))
        if col.kind == "code":
            typed = code_column(v, col.codes)
            return typed, pc.and_(pc.is_valid(v), pc.is_null(typed))
        if col.kind == "region":
            return v, pc.invert(pc.match_substring_regex(v, "^[0-9]{12}$"))
        return v, None

    def _rules(self) -> None:
        source, codes, typed = self.source, self.codes, self.typed
        if source.agree_with_id and "id_number" in codes:
            sex, birth = source.agree_with_id
            check = self.ids["id_number"]
            ok_id = pc.and_(pc.equal(codes["id_number"], OK), pc.is_valid(self.text["id_number"]))
            codes[sex] = _first(
                codes[sex], pc.and_(ok_id, pc.not_equal(typed[sex], check.sex)), SEX
            )
            codes[birth] = _first(
                codes[birth], pc.and_(ok_id, pc.not_equal(typed[birth], check.birth)), BIRTH
            )
        if source.period and source.period[1] in codes:
            start, end = source.period
            codes[end] = _first(codes[end], pc.less(typed[end], typed[start]), PERIOD)
        if source.unique and source.unique in codes:
            self._unique(source.unique)

    def _unique(self, name: str) -> None:
        # Among the good values, each repeated value's first row; later rows are rejected.
        good = pc.and_(pc.equal(self.codes[name], OK), pc.is_valid(self.text[name]))
        table = pa.table({"v": self.text[name], "row": self.row}).filter(good)
        groups = table.group_by("v").aggregate([("row", "min"), ("row", "count")])
        groups = groups.filter(pc.greater(groups["row_count"], 1))
        if groups.num_rows == 0:
            return
        first = (
            groups["row_min"]
            .combine_chunks()
            .take(pc.index_in(self.text[name], value_set=groups["v"].combine_chunks()))
        )
        self.first_dup = first
        self.codes[name] = _first(self.codes[name], pc.greater(self.row, first), DUPLICATE)

    def bad(self) -> pa.Array:
        bad = None
        for codes in self.codes.values():
            hit = pc.not_equal(codes, OK)
            bad = hit if bad is None else pc.or_(bad, hit)
        return bad


def check(
    source_code: str, raw: RawTable, *, today: datetime.date, keep: int | None = None
) -> Checked:
    """Check a file's rows; `keep` rejected cells get a message (HUHANG_FEED_ERRORS_KEPT)."""
    source = SOURCES[source_code]
    keep = settings.HUHANG_FEED_ERRORS_KEPT if keep is None else keep
    present = map_header(source, raw.header)
    if raw.table.num_rows == 0 and not raw.bad_rows:
        raise FeedFileError(_("文件中没有数据行。"))
    columns = _Columns(source, raw, present, today)
    bad = columns.bad() if columns.cols else pa.array([False] * raw.table.num_rows)
    counts = _counts(columns, bad)
    if raw.bad_rows:
        counts[("", _("单元格个数与表头不符"))] = len(raw.bad_rows)
    read_errors = [(row, "", msg) for row, msg in raw.bad_rows[:keep]]
    errors = sorted(_errors(columns, bad, today, keep) + read_errors, key=lambda e: e[0])[:keep]
    accepted = _accepted(columns, pc.invert(bad))
    rejected = (pc.sum(bad).as_py() or 0) + len(raw.bad_rows)
    return Checked(
        accepted=accepted,
        errors=errors,
        rows=rejected + accepted.num_rows,
        rejected=rejected,
        error_counts=sorted(
            ((c, r, n) for (c, r), n in counts.items()), key=lambda e: (-e[2], e[0], e[1])
        ),
        error_total=sum(counts.values()),
        notices=_notices(columns),
    )


def _is_name(col: Col) -> bool:
    return col.kind == "name" or col.field.endswith("name")


def _notices(columns: _Columns) -> list[str]:
    notices = []
    for field, (numeric, filled) in columns.numeric.items():
        header = columns.source.column(field).header
        if numeric == filled:
            notices.append(
                _(
                    "“%(col)s”列的 %(n)s 个号码全部存成了数字格式：电子表格只保留15位有效数字，"
                    "号码已失去精度，无法还原。这些行均未接收；请把该列设为文本格式后重新导出。"
                )
                % {"col": header, "n": numeric}
            )
        else:
            notices.append(
                _(
                    "“%(col)s”列有 %(n)s 个单元格是数字格式，这些行未接收；"
                    "请把该列设为文本格式后重新导出。"
                )
                % {"col": header, "n": numeric}
            )
    return notices


def _counts(columns: _Columns, bad: pa.Array) -> dict[tuple[str, str], int]:
    """Every rejected cell, by (column, reason), counted column at a time."""
    counts: dict[tuple[str, str], int] = {}
    for col in columns.cols:
        found = pc.value_counts(columns.codes[col.field].filter(bad))
        for item in found.to_pylist():
            if item["values"] != OK:
                key = (col.header, _reason(columns.source, col, item["values"]))
                counts[key] = counts.get(key, 0) + item["counts"]
    return counts


def _accepted(columns: _Columns, good: pa.Array) -> pa.Table:
    fields = [f for f in SCHEMAS[columns.source.code] if f.name not in ("batch", "name_key")]
    arrays = []
    for f in fields:
        if f.name == "row":
            arrays.append(columns.row)
        elif f.name in columns.typed:
            arrays.append(columns.typed[f.name])
        else:
            arrays.append(pa.nulls(len(columns.row), f.type))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields)).filter(good)
    if "name_key" in SCHEMAS[columns.source.code].names:
        table = table.append_column("name_key", namekeys.key_column(table["name"]))
    schema = pa.schema([f for f in SCHEMAS[columns.source.code] if f.name != "batch"])
    return table.select(schema.names).cast(schema)


def _errors(columns: _Columns, bad: pa.Array, today, keep: int) -> list[tuple[int, str, str]]:
    """The messages of the rejected cells of the first `keep` rejected rows (each such row has
    at least one): never more messages are written than can be kept."""
    head = pc.and_(bad, pc.less_equal(pc.cumulative_sum(pc.cast(bad, pa.int64())), keep))
    rows = columns.row.filter(head).to_pylist()
    if not rows:
        return []
    first = columns.first_dup.filter(head).to_pylist() if columns.first_dup is not None else None
    out = []
    for col in columns.cols:
        codes = columns.codes[col.field].filter(head).to_pylist()
        values = columns.text[col.field].filter(head).to_pylist()
        for i, (code, value) in enumerate(zip(codes, values, strict=True)):
            if code != OK:
                dup = first[i] if first is not None else None
                out.append(
                    (rows[i], col.header, _message(columns.source, col, code, value, dup, today))
                )
    return out


def _shown(value: str | None) -> str:
    value = value or ""
    return value if len(value) <= _MAX_SHOWN else value[: _MAX_SHOWN - 1] + "…"


def _reason(source: Source, col: Col, code: int) -> str:
    """A rejected cell's reason without its value (rejected cells are counted by it)."""
    if code in (BLANK, SEX, BIRTH, PERIOD, NUMERIC):
        return _message(source, col, code, None, None, None)
    if code == DUPLICATE:
        return _("与前面的行重复")
    if code == NAME:
        return _("不能作为姓名（公式、控制字符或网页标记）")
    if col.kind == "date":
        return _("日期无法识别")
    if col.kind == "code":
        return _("不是可用的值（应为：%(labels)s）") % {"labels": "、".join(col.codes)}
    if col.kind == "region":
        return _("行政区划代码应为12位数字")
    return _("公民身份号码无效")


def _message(source: Source, col: Col, code: int, value, first, today) -> str:
    if code == NUMERIC:
        if col.kind == "id":
            return _("单元格为数字格式，18位号码已失去精度；请把该列设为文本后重新导出")
        return _("单元格为数字格式，号码可能已失去精度或前导零；请把该列设为文本后重新导出")
    if code == NAME:
        return name_error_message(names.name_problem(value or "") or "")
    if code == BLANK:
        return _("必填项为空")
    if code == SEX:
        return _("性别与公民身份号码不符")
    if code == BIRTH:
        return _("出生日期与公民身份号码不符")
    if code == PERIOD and source.period is not None:
        start = source.column(source.period[0]).header
        return _("%(end)s早于%(start)s") % {"end": col.header, "start": start}
    if code == DUPLICATE:
        return _("与第 %(row)s 行重复") % {"row": first}
    if col.kind == "date":
        return _("日期无法识别：“%(v)s”（应为 YYYY-MM-DD、YYYY/MM/DD、YYYYMMDD 或日期单元格）") % {
            "v": _shown(value)
        }
    if col.kind == "code":
        labels = "、".join(col.codes)
        return _("“%(v)s”不是可用的值（应为：%(labels)s）") % {"v": _shown(value), "labels": labels}
    if col.kind == "region":
        return _("行政区划代码应为12位数字：“%(v)s”") % {"v": _shown(value)}
    try:
        idnumber.parse(value, today=today)
    except idnumber.IdNumberError as exc:
        return id_error_message(exc)
    return _("公民身份号码无效")
