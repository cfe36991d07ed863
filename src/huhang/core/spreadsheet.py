"""What an uploaded spreadsheet claims and would cost, checked before anything parses it.

A department's feed and a bank's return file come from outside; a reader that believes them can
be made to allocate hundreds of gigabytes (an XLSX of 2 KB with one cell at XFD1048576: the
XLSX reader builds the sheet as a dense rectangle) or to decompress a zip bomb. So, before the
reader sees a file:

- its size is within the setting for its kind (`check_size`);
- an XLSX (a zip file): every member's uncompressed size is within
  `HUHANG_XLSX_MAX_MEMBER_BYTES`, and a member larger than 1 MiB compresses at most
  `HUHANG_XLSX_MAX_RATIO` times; each member is decompressed once, here, so a member whose
  header lies about its size fails its CRC check instead of being believed;
- the first sheet's declared dimension (``<dimension ref="A1:C300"/>``) and the extent its cells
  actually reach (their ``r`` references; cells without one are counted) are within
  `HUHANG_SHEET_MAX_ROWS`, `HUHANG_SHEET_MAX_COLUMNS` and, as a rectangle,
  `HUHANG_SHEET_MAX_CELLS`;
- a CSV file has at most `HUHANG_SHEET_MAX_ROWS` lines (`check_csv_rows`).

A file over a limit is refused at once with a message that names the limit (`SheetRefused`, a
DomainError); nothing is stored. Legacy XLS (BIFF8) needs no such check: the format itself
stops at 65,536 rows and 256 columns.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from huhang.core.exceptions import DomainError

__all__ = ["SheetRefused", "XlsxFacts", "check_csv_rows", "check_size", "check_xlsx", "check_zip"]

_CHUNK = 4 * 1024 * 1024
_RATIO_FROM = 1024 * 1024  # small members may compress well; a bomb is large
_MAX_MEMBERS = 10_000
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Za-z$]*)\$?(\d*)(?::\$?([A-Za-z]+)\$?(\d+))?"'
)
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_CELL_COL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]{1,3})\d')
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_CELL_WITH_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")


class SheetRefused(DomainError):
    """The file is over a limit, or is not the spreadsheet it claims to be."""


@dataclass(frozen=True)
class XlsxFacts:
    """What the checks learnt: the first sheet's part, its extent, the workbook's date system."""

    sheet: str
    rows: int
    columns: int
    date1904: bool


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise SheetRefused(
            _("文件过大（%(size)s MB），上限为 %(limit)s MB。")
            % {"size": _mb(size), "limit": _mb(limit)}
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}"


def check_csv_rows(data: bytes, max_rows: int | None = None) -> None:
    """A CSV file's lines (an upper bound of its rows) against the row limit (the setting, or
    `max_rows` where the caller knows better, e.g. a return file's run)."""
    limit = settings.HUHANG_SHEET_MAX_ROWS if max_rows is None else max_rows
    lines = data.count(b"\n") + 1
    if lines > limit + 1:
        raise _too_many_rows(lines, limit)


def _too_many_rows(rows: int, limit: int) -> SheetRefused:
    return SheetRefused(
        _("文件有 %(n)s 行，超过上限 %(max)s 行。") % {"n": f"{rows:,}", "max": f"{limit:,}"}
    )


def column_number(letters: str) -> int:
    """A column's letters as its number (A = 1, XFD = 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def check_xlsx(source: Path | bytes, max_rows: int | None = None) -> XlsxFacts:
    """Check an XLSX file (a path or its bytes) before it is parsed; SheetRefused otherwise.
    `max_rows` replaces the row limit of the settings where the caller knows better."""
    limit = settings.HUHANG_SHEET_MAX_ROWS if max_rows is None else max_rows
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            members = check_zip(zf)
            sheet, date1904 = _first_sheet(zf)
            rows, columns = _scan_sheet(zf, sheet, limit)
            for info in members:
                if info.filename != sheet:
                    _drain(zf, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError, OSError) as exc:
        raise SheetRefused(_("无法读取文件：文件已损坏，或不是 XLSX 格式。")) from exc
    return XlsxFacts(sheet=sheet, rows=rows, columns=columns, date1904=date1904)


def check_zip(zf: zipfile.ZipFile, max_members: int = _MAX_MEMBERS) -> list[zipfile.ZipInfo]:
    """The members of a zip file, each within its uncompressed size and compression ratio."""
    members = zf.infolist()
    if len(members) > max_members:
        raise SheetRefused(
            _("压缩文件包含 %(n)s 个部件，超过上限 %(max)s 个。")
            % {"n": len(members), "max": max_members}
        )
    for info in members:
        _check_member(info)
    return members


def _check_member(info: zipfile.ZipInfo) -> None:
    limit = settings.HUHANG_XLSX_MAX_MEMBER_BYTES
    if info.file_size > limit:
        raise SheetRefused(
            _("Excel 文件的部件 %(name)s 解压后有 %(size)s MB，超过上限 %(limit)s MB。")
            % {"name": info.filename[:60], "size": _mb(info.file_size), "limit": _mb(limit)}
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FROM and ratio > settings.HUHANG_XLSX_MAX_RATIO:
        raise SheetRefused(
            _(
                "Excel 文件的部件 %(name)s 压缩比为 %(ratio)s 倍，超过上限 %(limit)s 倍（疑似压缩炸弹）。"
            )
            % {
                "name": info.filename[:60],
                "ratio": f"{ratio:,.0f}",
                "limit": settings.HUHANG_XLSX_MAX_RATIO,
            }
        )


def _drain(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Decompress a member whole (and throw it away): zipfile stops at the declared size and
    checks the CRC, so a member larger than it claims is refused here."""
    with zf.open(info) as member:
        while member.read(_CHUNK):
            pass


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as member:
        return member.read(settings.HUHANG_XLSX_MAX_MEMBER_BYTES)


def _first_sheet(zf: zipfile.ZipFile) -> tuple[str, bool]:
    """The part name of the workbook's first sheet, and whether dates count from 1904."""
    workbook = _read_small(zf, "xl/workbook.xml")
    date1904 = re.search(rb'date1904="(?:1|true)"', workbook) is not None
    first = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\b(?:\w+:)?id=\"([^\"]+)\"", workbook)
    if first is None:
        raise SheetRefused(_("Excel 文件中没有工作表。"))
    rels = _read_small(zf, "xl/_rels/workbook.xml.rels")
    rid = re.escape(first.group(1))
    target = None
    for rel in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        if re.search(rb'\bId="' + rid + rb'"', rel.group(0)):
            found = re.search(rb'\bTarget="([^"]+)"', rel.group(0))
            target = found.group(1).decode() if found else None
    if target is None:
        raise SheetRefused(_("Excel 文件中没有工作表。"))
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return part, date1904


def _scan_sheet(zf: zipfile.ZipFile, part: str, max_rows: int) -> tuple[int, int]:
    """The extent the sheet declares and the one its cells reach, checked against the limits
    while the part is decompressed chunk by chunk (it is never held whole). Each chunk is cut
    before its last "<", so that no tag is split between two chunks."""
    max_row = max_col = rows_seen = unreferenced = 0
    tail = b""
    first = True
    with zf.open(part) as member:
        while True:
            chunk = member.read(_CHUNK)
            text = tail + chunk
            cut = text.rfind(b"<") if chunk else len(text)
            if cut <= 0 and chunk:
                tail = text
                continue
            text, tail = text[:cut], text[cut:]
            if first:
                first = False
                declared = _DIMENSION.search(text)
                if declared is not None:
                    _check_extent(*_declared_extent(declared), max_rows)
            numbers = _ROW_REF.findall(text)
            if numbers:
                max_row = max(max_row, *map(int, numbers))
            rows_seen += len(_ROW_TAG.findall(text))
            for letters in set(_CELL_COL.findall(text)):
                max_col = max(max_col, column_number(letters.decode()))
            unreferenced += len(_CELL.findall(text)) - len(_CELL_WITH_REF.findall(text))
            rows, columns = max(max_row, rows_seen), max_col + unreferenced
            _check_extent(rows, columns, max_rows)
            if not chunk:
                return rows, columns


def _declared_extent(match: re.Match[bytes]) -> tuple[int, int]:
    first_col, first_row, last_col, last_row = match.groups()
    col = last_col or first_col or b"A"
    row = last_row or first_row or b"1"
    return int(row), column_number(col.decode())


def _check_extent(rows: int, columns: int, max_rows: int) -> None:
    if rows > max_rows:
        raise _too_many_rows(rows, max_rows)
    if columns > settings.HUHANG_SHEET_MAX_COLUMNS:
        raise SheetRefused(
            _("工作表有 %(n)s 列，超过上限 %(max)s 列。")
            % {"n": f"{columns:,}", "max": f"{settings.HUHANG_SHEET_MAX_COLUMNS:,}"}
        )
    if rows * columns > settings.HUHANG_SHEET_MAX_CELLS:
        raise SheetRefused(
            _("工作表的范围为 %(rows)s 行 × %(cols)s 列，超过上限 %(max)s 个单元格。")
            % {
                "rows": f"{rows:,}",
                "cols": f"{columns:,}",
                "max": f"{settings.HUHANG_SHEET_MAX_CELLS:,}",
            }
        )
