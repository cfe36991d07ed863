"""Real spreadsheet programs as independent readers of our files: LibreOffice Calc (headless,
`soffice --convert-to`) and openpyxl. Tests that need LibreOffice are skipped, with the reason,
where it is not installed (.ci/run installs Debian's libreoffice-calc-nogui)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice Calc is not installed (apt-get install libreoffice-calc-nogui)",
)
# Export every sheet (token 12 = -1) as UTF-8 CSV of the cells' values, not as shown (token 9).
CSV_OUT = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice(files: list[Path], target: str, outdir: Path, infilter: str | None = None) -> None:
    """Convert `files` with LibreOffice (one process for all; a private profile per folder so
    that parallel runs do not share one)."""
    assert SOFFICE is not None
    profile = outdir.parent / f".lo-profile-{outdir.name}"
    command = [
        SOFFICE,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
    ]
    if infilter:
        command.insert(-4, f"--infilter={infilter}")
    subprocess.run([*command, *map(str, files)], check=True, capture_output=True, timeout=180)


def calc_sheets(content: bytes, tmp_path: Path, name: str = "book") -> dict[str, list[list[str]]]:
    """Every sheet of an XLSX as LibreOffice reads it: sheet name → rows of cell texts."""
    source = tmp_path / f"{name}.xlsx"
    source.write_bytes(content)
    out = tmp_path / f"{name}-csv"
    soffice([source], CSV_OUT, out)
    sheets = {}
    names = openpyxl.load_workbook(io.BytesIO(content), read_only=True).sheetnames
    for sheet in names:
        path = out / f"{name}-{sheet}.csv"
        if not path.exists() and len(names) == 1:
            path = out / f"{name}.csv"
        text = path.read_bytes().decode("utf-8")  # (no newline translation)
        sheets[sheet] = list(csv.reader(io.StringIO(text, newline="")))
    return sheets


def calc_open_csv(content: bytes, tmp_path: Path, infilter: str, name: str = "file") -> Path:
    """A CSV file opened by LibreOffice with the import options `infilter` and saved as XLSX."""
    source = tmp_path / f"{name}.csv"
    source.write_bytes(content)
    out = tmp_path / f"{name}-xlsx"
    soffice([source], "xlsx", out, infilter=infilter)
    return out / f"{name}.xlsx"


def pdf_pages(content: bytes, tmp_path: Path, name: str = "print") -> int:
    """The pages LibreOffice prints an XLSX on (PDF export with the file's own page setup)."""
    source = tmp_path / f"{name}.xlsx"
    source.write_bytes(content)
    out = tmp_path / f"{name}-pdf"
    soffice([source], "pdf", out)
    pdf = (out / f"{name}.pdf").read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def number(text: str) -> float:
    """A number cell as LibreOffice writes it to CSV (no grouping, "." decimals)."""
    return float(text)
