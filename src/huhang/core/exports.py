"""Writing the files people and machines read: XLSX for people, CSV for machines (docs/files.md).

Every export of the application goes through here, so that each rule holds everywhere:

- **Cells are typed by their column** (`Column.kind`): text and long numbers (ID, account, line
  numbers) are strings, written as strings, never as numbers that lose digits; counts and money
  are numbers with a number format (money from integer fen, shown with two decimals), so that a
  clerk's ``=SUM()`` works; dates are date cells.
- **Nothing a spreadsheet would evaluate** (OWASP CSV injection): in XLSX every string is written
  with ``write_string`` (never ``write()``, which turns "=..." into a formula) and a string that
  starts like a formula (``= + - @``, tab, carriage return) carries the "quote prefix" style, so
  that editing the cell keeps it text; in CSV such a text cell is prefixed with an apostrophe
  (`neutralise`). Numbers are numbers in both: a negative amount stays ``-12.50``.
- **XLSX for people**: the header row frozen, columns sized to their content, an autofilter,
  control totals in their own row (bold, under the data) or sheet, and the print setup of a
  document meant for paper (A4, orientation by width, one page wide, the header row repeated on
  every page, a header with the title and a footer with the period and "page N of M").
- **CSV for machines**: RFC 4180 (comma, CRLF, double quotes as needed), UTF-8 (with a BOM only
  where a file's dialect says so) or GB18030, one header row; `csv_content_type` gives the
  standard HTTP label (``text/csv; charset=utf-8; header=present``), never a Python codec name.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter

from huhang.core.money import fen_to_yuan

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "COUNT",
    "DATE",
    "DECIMAL",
    "FEN",
    "ID",
    "NUMBER",
    "TEXT",
    "Column",
    "Sheet",
    "csv_content_type",
    "is_formula_like",
    "neutralise",
    "sheet_name",
    "write_csv",
    "write_xlsx",
]

TEXT = "text"  # free text (names, places, reasons)
ID = "id"  # a long number kept as text: ID number, account, 明细编号, division code
COUNT = "count"  # an integer
FEN = "fen"  # money as integer fen; written as yuan with two decimals
# A spreadsheet number keeps 15 significant digits: an XLSX amount is a number up to
# 9,999,999,999,999.99 yuan, and exact text beyond (no budget gets there; a sum of test data can).
EXACT_FEN = 10**15
DECIMAL = "decimal"  # a number with one decimal (hours)
DATE = "date"  # a datetime.date
NUMBER = "number"  # an int or a Decimal shown with its own places (a summary of mixed figures)

NUMERIC_KINDS = frozenset({COUNT, FEN, DECIMAL, NUMBER})
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP: a cell starting with one of these may be evaluated by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_SAMPLE_ROWS = 500  # rows looked at to size the columns
_MAX_WIDTH = 48
A4 = 9  # xlsxwriter's paper code


def is_formula_like(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def neutralise(text: str) -> str:
    """A text cell for CSV that no spreadsheet evaluates: an apostrophe before a leading
    ``= + - @``, tab or carriage return (OWASP). Only for text: numbers are written as numbers."""
    return "'" + text if is_formula_like(text) else text


@dataclass(frozen=True)
class Column:
    label: StrOrPromise
    kind: str = TEXT
    width: int | None = None  # characters; None = sized from the content


@dataclass
class Sheet:
    """One worksheet: a header row of `columns`, then `rows` (values of the columns' kinds),
    then, in their own row, `totals` (None where a column has no total)."""

    name: StrOrPromise
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title: StrOrPromise = ""  # written above the header row, and in the printed page's header
    title_row: bool = True  # False: the header is the first row (a file a bank's machine reads)
    period: StrOrPromise = (
        ""  # in the printed page's footer (e.g. "2026年上半年", "截至 2026-12-06")
    )
    totals: Sequence[Any] | None = None
    note: StrOrPromise = ""  # a line under the table
    landscape: bool | None = None  # None: landscape when the columns are many
    # Written row by row (constant memory): no title row, widths from the first rows only.
    counts: dict[str, int] = field(default_factory=dict)  # filled in: rows written


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique worksheet name (≤ 31 characters, none of []:*?/\\)."""
    name = _BAD_SHEET_CHARS.sub("-", title)[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == FEN:
        return f"{int(value) / 100:,.2f}"
    if kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.head = book.add_format(
            {"bold": True, "bg_color": "#F3F4F6", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.note = book.add_format({"italic": True, "font_color": "#6B7280"})
        self.cells: dict[tuple[str, bool], Any] = {}
        for kind, number_format in (
            (TEXT, "@"),
            (ID, "@"),
            (COUNT, "#,##0"),
            (FEN, "#,##0.00"),
            (DECIMAL, "#,##0.0"),
            (DATE, "yyyy-mm-dd"),
            (NUMBER, "General"),
        ):
            for bold in (False, True):
                spec: dict[str, Any] = {"num_format": number_format, "border": 1, "bold": bold}
                self.cells[(kind, bold)] = book.add_format(spec)
        # A string that reads like a formula: shown as it is, kept text when edited.
        self.quoted = {
            bold: book.add_format(
                {"num_format": "@", "border": 1, "quote_prefix": True, "bold": bold}
            )
            for bold in (False, True)
        }


def write_xlsx(
    out: IO[bytes] | str, sheets: Iterable[Sheet], *, constant_memory: bool = False
) -> None:
    """Write a workbook of `sheets` to `out` (a binary file or a path). With `constant_memory`
    the rows are flushed to disk as they are written (a bank file of a million lines)."""
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": constant_memory,
            "in_memory": not constant_memory,
            # Text stays text: no account number as a float, no name taken for a formula or URL.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    formats = _Formats(book)
    used: set[str] = set()
    for sheet in sheets:
        _write_sheet(book, formats, sheet, sheet_name(str(sheet.name), used))
    book.close()


def _write_sheet(book: xlsxwriter.Workbook, fmt: _Formats, sheet: Sheet, name: str) -> None:
    ws = book.add_worksheet(name)
    columns = list(sheet.columns)
    rows = iter(sheet.rows)
    sample = list(islice(rows, _SAMPLE_ROWS))
    for col, column in enumerate(columns):
        ws.set_column(col, col, _width(column, col, sample, sheet.totals))
    top = 0
    if sheet.title and sheet.title_row:
        ws.write_string(0, 0, str(sheet.title), fmt.title)
        top = 1
    for col, column in enumerate(columns):
        ws.write_string(top, col, str(column.label), fmt.head)
    r = top
    for r, row in enumerate(_chain(sample, rows), start=top + 1):
        _write_row(ws, fmt, r, row, columns, bold=False)
    written = r - top
    sheet.counts["rows"] = written
    last = r
    if sheet.totals is not None:
        last = r + 1
        _write_row(ws, fmt, last, sheet.totals, columns, bold=True)
    if sheet.note:
        ws.write_string(last + 2, 0, str(sheet.note), fmt.note)
    ws.freeze_panes(top + 1, 0)
    if written:
        ws.autofilter(top, 0, top + written, len(columns) - 1)
    _print_setup(ws, sheet, columns, top)


def _chain(first: list, rest: Iterable) -> Iterable:
    yield from first
    yield from rest


def _width(column: Column, col: int, sample: list, totals: Sequence[Any] | None) -> int:
    if column.width is not None:
        return column.width
    shown = [_shown(row[col], column.kind) for row in sample if col < len(row)]
    if totals is not None and col < len(totals):
        shown.append(_shown(totals[col], column.kind))
    widest = max((_display_width(text) for text in shown), default=0)
    return min(max(widest, _display_width(str(column.label)), 6) + 2, _MAX_WIDTH)


def _write_row(
    ws, fmt: _Formats, r: int, row: Sequence[Any], columns: list[Column], *, bold: bool
) -> None:
    for c, (value, column) in enumerate(zip(row, columns, strict=False)):
        kind = column.kind
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt.cells[(kind, bold)])
        elif kind == FEN and abs(int(value)) < EXACT_FEN:
            ws.write_number(r, c, float(Decimal(int(value)) / 100), fmt.cells[(FEN, bold)])
        elif kind == FEN:
            # Beyond a spreadsheet number's 15 digits: the exact yuan as text, not a rounded float.
            ws.write_string(r, c, fen_to_yuan(int(value)), fmt.cells[(TEXT, bold)])
        elif kind in (COUNT, DECIMAL) and isinstance(value, int | float | Decimal):
            ws.write_number(r, c, float(value), fmt.cells[(kind, bold)])
        elif kind == NUMBER and isinstance(value, int | Decimal):
            ws.write_number(r, c, float(value), fmt.cells[(_places_kind(value), bold)])
        elif kind == DATE and isinstance(value, datetime.date):
            moment = datetime.datetime.combine(value, datetime.time())
            ws.write_datetime(r, c, moment, fmt.cells[(DATE, bold)])
        else:
            text = str(value)
            style = fmt.quoted[bold] if is_formula_like(text) else fmt.cells[(TEXT, bold)]
            ws.write_string(r, c, text, style)


def _places_kind(value: int | Decimal) -> str:
    """The format of a figure by its own decimal places: 0 → count, 2 → money, else one place."""
    places = -int(value.as_tuple().exponent) if isinstance(value, Decimal) else 0
    return FEN if places == 2 else DECIMAL if places else COUNT


def _escape(text: str) -> str:
    """Text inside an Excel header/footer, where "&" starts a code."""
    return text.replace("&", "&&")[:100]


def _print_setup(ws, sheet: Sheet, columns: list[Column], top: int) -> None:
    """A4, orientation by width, one page wide (as many pages tall as needed), the header row
    repeated on every page, the title in the page header, period and page numbers in the
    footer."""
    ws.set_paper(A4)
    landscape = sheet.landscape if sheet.landscape is not None else len(columns) > 6
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    title = str(sheet.title or sheet.name)
    ws.set_header(f"&C&14&B{_escape(title)}")
    period = f"&L{_escape(str(sheet.period))}" if sheet.period else ""
    ws.set_footer(f"{period}&R第 &P 页，共 &N 页")


# --- CSV ------------------------------------------------------------------------------------------

# The encodings offered: the HTTP label (IANA), the Python codec, and whether a BOM is written.
CSV_ENCODINGS = {
    "utf-8": ("utf-8", "utf-8", False),
    "utf-8-bom": ("utf-8", "utf-8-sig", True),
    "gb18030": ("GB18030", "gb18030", False),
}


def csv_content_type(encoding: str) -> str:
    """The standard media type of a CSV file: ``text/csv; charset=<IANA name>; header=present``
    (RFC 7111, RFC 4180); a BOM is a property of the bytes, not a charset."""
    label = CSV_ENCODINGS[encoding][0]
    return f"text/csv; charset={label}; header=present"


def csv_cell(value: Any, kind: str) -> str:
    """A value as CSV text: numbers plain (money from fen, two decimals; a minus sign stays),
    dates ISO, text neutralised."""
    if value is None:
        return ""
    if kind == FEN:
        return fen_to_yuan(int(value))
    if kind in NUMERIC_KINDS:
        return str(value)
    if kind == DATE and isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def _csv_converter(kind: str) -> Callable[[Any], str]:
    """`csv_cell` for one column's kind, chosen once (a bank file has millions of cells)."""
    if kind in (TEXT, ID):
        return lambda v: "" if v is None else neutralise(v if type(v) is str else str(v))
    return lambda v: csv_cell(v, kind)


def write_csv(
    out: IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    preamble: Sequence[str] | None = None,
    trailer: Callable[[], Sequence[str]] | None = None,
) -> int:
    """Write an optional preamble row (already text, e.g. a bank's control figures before the
    header), a header row, the rows (typed by `columns`) and an optional trailer row (made once
    the rows are written, e.g. a 合计 row) to the binary file `out`; returns the rows written."""
    codec = CSV_ENCODINGS[encoding][1]
    text = io.TextIOWrapper(out, encoding=codec, newline="", write_through=True)
    count = 0
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        if preamble is not None:
            writer.writerow([neutralise(cell) for cell in preamble])
        writer.writerow([neutralise(str(c.label)) for c in columns])
        cells = [_csv_converter(c.kind) for c in columns]
        for row in rows:
            writer.writerow([cell(v) for cell, v in zip(cells, row, strict=False)])
            count += 1
        if trailer is not None:
            writer.writerow([neutralise(cell) for cell in trailer()])
        text.flush()
    finally:
        text.detach()  # leave the caller's file open
    return count


def csv_text(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterable[list[str]]:
    """The rows as CSV cells (for a writer the caller owns, e.g. a command's stdout)."""
    kinds = [c.kind for c in columns]
    yield [neutralise(str(c.label)) for c in columns]
    for row in rows:
        yield [csv_cell(v, k) for v, k in zip(row, kinds, strict=False)]
