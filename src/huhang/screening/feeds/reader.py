"""Reading a department's file into an Arrow table of strings, one column per header cell.

CSV: the encoding is detected — a byte-order mark means UTF-8 with BOM; text that is valid UTF-8
is UTF-8; anything else is tried as GB18030 (which most government exports use); a file that is
none of these (or holds NUL characters, as binary files do) cannot be read. The text is parsed by
pyarrow's multithreaded CSV reader with every column as a string. Row numbers are those a
spreadsheet shows (header = 1): that is the record's position when the file has no blank lines
and no short or long rows; when pyarrow meets either, the file is read again by Python's csv
module, which keeps exact positions (blank rows keep their number, a row with the wrong number of
cells is rejected on its own).

XLSX (and XLS): the first sheet, read with python-calamine; date cells become ``YYYY-MM-DD``.
A cell stored as a *number* is written as its digits (an Excel serial date stays a number, for
the validator to read as a date), and is flagged: an ID number, 学籍号 or division code kept as a
number has lost digits or leading zeros already, and the validator refuses it with that reason
instead of checking digits that are no longer the department's (`RawTable.numeric`).

Before any of this, the file's size and (for XLSX) what the zip claims and would cost are checked
against the settings (core.spreadsheet): a file over a limit is refused at once, unread.

Rows whose cells are all blank are dropped here (they are no data and count for nothing).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from huhang.core import spreadsheet
from huhang.core.exceptions import DomainError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_BOM = b"\xef\xbb\xbf"


class FeedFileError(DomainError):
    """The whole file is refused (cannot be read, no data, a required column missing)."""


@dataclass
class RawTable:
    """The header cells as written (trimmed) and the data: columns ``c0..cN`` (strings, "" for
    blank) and ``row`` (the spreadsheet row number)."""

    header: list[str]
    table: pa.Table
    encoding: str
    # Rows refused while reading (wrong number of cells): (row, message).
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    # Column index → which of its cells were stored as numbers (XLSX only; aligned with `table`).
    numeric: dict[int, pa.Array] = field(default_factory=dict)
    # The workbook counts its serial dates from 1904 (old Mac Excel), not from 1900.
    date1904: bool = False


def read(path: Path) -> RawTable:
    """The file as a table of strings; FeedFileError when it is refused as a whole (over a
    limit of core.spreadsheet, unreadable, empty)."""
    try:
        return _read(path)
    except spreadsheet.SheetRefused as exc:
        raise FeedFileError(exc.message) from exc


def _read(path: Path) -> RawTable:
    spreadsheet.check_size(path.stat().st_size, settings.HUHANG_FEED_MAX_BYTES)
    with path.open("rb") as f:
        magic = f.read(8)
    if magic.startswith(_ZIP_MAGIC):
        facts = spreadsheet.check_xlsx(path)
        return _read_workbook(path, date1904=facts.date1904)
    if magic.startswith(_OLE_MAGIC):
        return _read_workbook(path, date1904=False)
    data = path.read_bytes()
    if not data.strip():
        raise FeedFileError(_("文件是空的。"))
    spreadsheet.check_csv_rows(data)
    return _read_csv(data)


def unreadable() -> FeedFileError:
    return FeedFileError(
        _("无法读取文件：应为 XLSX，或 UTF-8（可带 BOM）、GB18030 编码的 CSV 文件。")
    )


# --- CSV ----------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, bytes]:
    """(encoding, UTF-8 bytes without BOM) of a CSV file; refuses what is none of the three."""
    if data.startswith(_BOM):
        body = data[len(_BOM) :]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise unreadable() from None
        encoding = "utf-8-sig"
    else:
        try:
            data.decode("utf-8")
            body, encoding = data, "utf-8"
        except UnicodeDecodeError:
            try:
                body, encoding = data.decode("gb18030").encode("utf-8"), "gb18030"
            except UnicodeDecodeError:
                raise unreadable() from None
    if b"\x00" in body:
        raise unreadable()
    return encoding, body


def _read_csv(data: bytes) -> RawTable:
    encoding, body = decode(data)
    first = body.split(b"\n", 1)[0].decode("utf-8")
    header = next(csv.reader([first.rstrip("\r")]), [])
    _check_width(len(header))
    if not any(h.strip() for h in header):
        return _read_csv_exactly(body, encoding)
    names = [f"c{i}" for i in range(len(header))]
    irregular = []

    def on_invalid(row) -> str:
        irregular.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return _read_csv_exactly(body, encoding)
    if irregular:
        return _read_csv_exactly(body, encoding)
    rows = pa.array(range(2, table.num_rows + 2), pa.int32())
    table = _drop_blank(table.append_column("row", rows))
    return RawTable([h.strip() for h in header], table, encoding)


def _read_csv_exactly(body: bytes, encoding: str) -> RawTable:
    """The slow, exact path: Python's csv module, record by record."""
    records = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    try:
        return _from_records(records, encoding)
    except csv.Error as exc:
        raise FeedFileError(_("CSV 文件格式错误：%(e)s") % {"e": exc}) from exc


# --- XLSX ---------------------------------------------------------------------------------------


def _read_workbook(path: Path, *, date1904: bool) -> RawTable:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.width > settings.HUHANG_SHEET_MAX_COLUMNS:
            raise spreadsheet.SheetRefused(
                _("工作表有 %(n)s 列，超过上限 %(max)s 列。")
                % {"n": sheet.width, "max": settings.HUHANG_SHEET_MAX_COLUMNS}
            )
        # Row by row from the sheet (no second copy of it as Python lists).
        raw = _from_records(sheet.iter_rows(), "xlsx", cell=_cell)
    except (python_calamine.CalamineError, OSError, IndexError, ValueError) as exc:
        raise unreadable() from exc
    raw.date1904 = date1904
    return raw


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- shared -------------------------------------------------------------------------------------


def _from_records(
    records: Iterable[list], encoding: str, cell: Callable[[object], str] | None = None
) -> RawTable:
    """Header = the first row with any text; rows numbered by their position (header = its row).
    `records` is consumed once, row by row; `cell` turns a non-text cell into text (XLSX)."""
    header: list[str] | None = None
    width = 0
    columns: list[list[str]] = []
    numbers: list[int] = []
    numeric: dict[int, list[int]] = {}  # column → positions (in `numbers`) of numeric cells
    bad: list[tuple[int, str]] = []
    for index, record in enumerate(records):
        if cell is not None and not all(type(v) is str for v in record):
            for i, v in enumerate(record):
                if i < width and _is_number(v):
                    numeric.setdefault(i, []).append(len(numbers))
            record = [v if type(v) is str else cell(v) for v in record]
        if not any(c.strip() for c in record):
            continue
        if header is None:
            header = [h.strip() for h in record]
            width = len(header)
            _check_width(width)
            columns = [[] for _ in range(width)]
            continue
        if len(record) > width and any(c.strip() for c in record[width:]):
            bad.append((index + 1, _wrong_width(width, len(record))))
            _forget(numeric, len(numbers))
            continue
        if len(record) < width and encoding != "xlsx":
            bad.append((index + 1, _wrong_width(width, len(record))))
            continue
        record = (record + [""] * width)[:width]
        for i, value in enumerate(record):
            columns[i].append(value)
        numbers.append(index + 1)
    if header is None:
        raise FeedFileError(_("文件中没有表头和数据。"))
    arrays = [pa.array(col, pa.string()) for col in columns]
    arrays.append(pa.array(numbers, pa.int32()))
    table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(width)] + ["row"])
    flags = {}
    for i, positions in numeric.items():
        mask = [False] * len(numbers)
        for p in positions:
            mask[p] = True
        flags[i] = pa.array(mask, pa.bool_())
    return RawTable(header, table, encoding, bad, flags)


def _forget(numeric: dict[int, list[int]], position: int) -> None:
    """A row refused while reading was not kept: neither are its numeric flags."""
    for positions in numeric.values():
        while positions and positions[-1] >= position:
            positions.pop()


def _check_width(width: int) -> None:
    if width > settings.HUHANG_SHEET_MAX_COLUMNS:
        raise spreadsheet.SheetRefused(
            _("文件有 %(n)s 列，超过上限 %(max)s 列。")
            % {"n": width, "max": settings.HUHANG_SHEET_MAX_COLUMNS}
        )


def _wrong_width(expected: int, got: int) -> str:
    return _("本行有 %(got)s 个单元格，与表头的 %(n)s 列不符") % {"got": got, "n": expected}


def _drop_blank(table: pa.Table) -> pa.Table:
    blank = None
    for name in table.column_names:
        if name == "row":
            continue
        empty = pc.equal(pc.utf8_trim_whitespace(table[name]), "")
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is None:
        return table
    return table.filter(pc.invert(blank))
