"""The half-year report and the dashboard as LibreOffice and openpyxl read them: the report's
figures cell for cell, numbers as numbers, and a print setup that puts every sheet on pages one
A4 wide (a PDF export, counted)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from huhang.reports.dashboard.selectors import dashboard_tables
from huhang.reports.tables import FEN, TEXT
from tests.files.office import calc_sheets, needs_soffice, pdf_pages, workbook

PARAMS = {"period": "2026H1"}


def _expected(value, kind) -> str | Decimal | None:
    if value is None:
        return None
    if kind == TEXT:
        return str(value)
    if kind == FEN:
        return Decimal(int(value)) / 100
    return Decimal(value)


def _same(got: list[str], want: list, columns) -> bool:
    for text, value, column in zip(got, want, columns, strict=False):
        expected = _expected(value, column.kind)
        if expected is None:
            if text != "":
                return False
        elif isinstance(expected, Decimal):
            if Decimal(text) != expected:
                return False
        elif text != expected:
            return False
    return True


def _check_tables(content: bytes, tables, tmp_path) -> None:
    calc = calc_sheets(content, tmp_path)
    assert list(calc) == [t.title for t in tables]
    for table in tables:
        rows = calc[table.title]
        assert rows[1][: len(table.columns)] == [c.label for c in table.columns]
        body = table.rows + ([table.total] if table.total is not None else [])
        for got, want in zip(rows[2:], body, strict=False):
            assert _same(got, want, table.columns), (table.title, got, want)


@needs_soffice
def test_half_year_workbook_prints_one_page_wide_per_sheet(world, users, login, tmp_path):
    client = login(users["bureau"])
    report = client.get(reverse("reports:half_year"), PARAMS).context["report"]
    content = client.get(reverse("reports:half_year_xlsx"), PARAMS).content
    _check_tables(content, report.tables, tmp_path)
    book = workbook(content)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.paperSize == 9  # A4
        assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0  # (1 is the default)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$2:$2"  # the header row on every page
        assert report.title in sheet.oddHeader.center.text
        assert "&P" in sheet.oddFooter.right.text and "&N" in sheet.oddFooter.right.text
        assert str(report.period.label) in sheet.oddFooter.left.text
    # Each sheet's table is short: one page wide on A4 means one page per sheet.
    assert pdf_pages(content, tmp_path) == len(book.worksheets)


@needs_soffice
def test_dashboard_workbook(world, users, login, tmp_path):
    client = login(users["bureau"])
    board = client.get(reverse("reports:dashboard")).context["board"]
    response = client.get(reverse("reports:dashboard_xlsx"))
    assert response["Cache-Control"] == "private, no-store"
    _check_tables(response.content, dashboard_tables(board), tmp_path)
    book = workbook(response.content)
    units = book.worksheets[0]
    assert all(c.data_type == "n" for c in units[3][1:])
    assert pdf_pages(response.content, tmp_path, "dashboard") == len(book.worksheets)
