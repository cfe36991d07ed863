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

Rows whose cells are all blank are dropped here (they are no data and count for nothing).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import python_calamine
from django.utils.translation import gettext as _

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


def read(path: Path) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise FeedFileError(_("文件是空的。"))
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return _read_workbook(path)
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
    text = body.decode("utf-8")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FeedFileError(_("CSV 文件格式错误：%(e)s") % {"e": exc}) from exc
    return _from_records(records, encoding)


# --- XLSX ---------------------------------------------------------------------------------------


def _read_workbook(path: Path) -> RawTable:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        records = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, OSError, IndexError, ValueError) as exc:
        raise unreadable() from exc
    # Most cells are text already (blank cells too): convert only the others.
    rows = [[v if type(v) is str else _cell(v) for v in r] for r in records]
    return _from_records(rows, "xlsx")


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


# --- shared -------------------------------------------------------------------------------------


def _from_records(records: list[list[str]], encoding: str) -> RawTable:
    """Header = the first row with any text; rows numbered by their position (header = its row)."""
    start = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if start is None:
        raise FeedFileError(_("文件中没有表头和数据。"))
    header = [h.strip() for h in records[start]]
    width = len(header)
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []
    bad: list[tuple[int, str]] = []
    for index in range(start + 1, len(records)):
        record = records[index]
        if not any(c.strip() for c in record):
            continue
        if len(record) > width and any(c.strip() for c in record[width:]):
            bad.append((index + 1, _wrong_width(width, len(record))))
            continue
        if len(record) < width and encoding != "xlsx":
            bad.append((index + 1, _wrong_width(width, len(record))))
            continue
        record = (record + [""] * width)[:width]
        for i, value in enumerate(record):
            columns[i].append(value)
        numbers.append(index + 1)
    arrays = [pa.array(col, pa.string()) for col in columns]
    arrays.append(pa.array(numbers, pa.int32()))
    table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(width)] + ["row"])
    return RawTable(header, table, encoding, bad)


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
