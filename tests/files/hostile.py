"""Hostile spreadsheets, built in the tests: a sparse sheet that claims (or reaches) the whole
grid, a zip bomb, many rows of garbage. Nothing here is stored in the repository."""

from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(sheet_xml: str | bytes) -> bytes:
    """A minimal XLSX around one sheet's XML (inline strings, no shared strings or styles)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{rows}</sheetData></worksheet>"
    )


def sparse_xlsx(header: list[str], *, declare: bool = True) -> bytes:
    """A header row and one cell at XFD1048576: a few KB that a naive reader takes for the
    whole grid (17 billion cells)."""
    cells = "".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(header))
    rows = f'<row r="1">{cells}</row><row r="1048576">{_inline("XFD1048576", "x")}</row>'
    return workbook(sheet(rows, "A1:XFD1048576" if declare else None))


def bomb_xlsx(megabytes: int = 64) -> bytes:
    """A sheet of one header row followed by megabytes of spaces: it compresses about a
    thousand times."""
    padding = " " * (megabytes * 1024 * 1024)
    rows = f'<row r="1">{_inline("A1", "姓名")}</row>'
    return workbook(sheet(rows + padding))


def rows_xlsx(header: list[str], row: list[str], count: int) -> bytes:
    """The header and `count` copies of one row, as inline strings (the shape of the 173 KB
    file of 100,000 identical invalid rows)."""

    def cells(r: int, values: list[str]) -> str:
        return "".join(_inline(f"{_letters(i)}{r}", v) for i, v in enumerate(values) if v != "")

    parts = [f'<row r="1">{cells(1, header)}</row>']
    parts.extend(f'<row r="{r}">{cells(r, row)}</row>' for r in range(2, count + 2))
    return workbook(sheet("".join(parts)))


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
