"""The half-year report as an XLSX workbook: one sheet per table, Chinese headers, numbers as
numbers (counts as integers, yuan with two decimals, hours with one).

Each sheet: the report's title in row 1, the column headers in row 2, the rows, the total row,
then the table's note. Written in memory (the report is a few hundred cells).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import xlsxwriter

from huhang.reports.half_year.selectors import Report
from huhang.reports.tables import COUNT, DECIMAL, FEN, NUMBER, Table, fen_to_decimal

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def report_workbook(report: Report) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "head": book.add_format({"bold": True, "bg_color": "#F3F4F6", "border": 1}),
        "text": book.add_format({"border": 1}),
        COUNT: book.add_format({"num_format": "#,##0", "border": 1}),
        FEN: book.add_format({"num_format": "#,##0.00", "border": 1}),
        DECIMAL: book.add_format({"num_format": "#,##0.0", "border": 1}),
        "total": book.add_format({"bold": True, "border": 1}),
        "note": book.add_format({"italic": True, "font_color": "#6B7280"}),
    }
    used: set[str] = set()
    for table in report.tables:
        _sheet(book, fmt, report, table, _sheet_name(table.title, used))
    book.close()
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    name = _BAD_SHEET_CHARS.sub("-", title)[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


def _sheet(book, fmt, report: Report, table: Table, name: str) -> None:
    sheet = book.add_worksheet(name)
    sheet.write(0, 0, f"{report.title} · {table.title}", fmt["title"])
    for col, column in enumerate(table.columns):
        sheet.write(1, col, column.label, fmt["head"])
        sheet.set_column(col, col, 30 if col == 0 else 16)
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    for r, row in enumerate(rows, start=2):
        for col, (value, column) in enumerate(zip(row, table.columns, strict=True)):
            _cell(sheet, fmt, r, col, value, column.kind)
    if table.note:
        sheet.write(len(rows) + 3, 0, table.note, fmt["note"])
    sheet.freeze_panes(2, 1)


def _cell(sheet, fmt, row: int, col: int, value, kind: str) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt["text"])
    elif kind == FEN:
        sheet.write_number(row, col, float(fen_to_decimal(value)), fmt[FEN])
    elif kind in (COUNT, DECIMAL):
        sheet.write_number(row, col, float(value), fmt[kind])
    elif kind == NUMBER:
        places = -int(Decimal(value).as_tuple().exponent) if isinstance(value, Decimal) else 0
        sheet.write_number(
            row, col, float(value), fmt[FEN if places == 2 else DECIMAL if places else COUNT]
        )
    else:
        sheet.write_string(row, col, str(value), fmt["text"])
