"""Bank files and the payroll workbook as real spreadsheet programs read them (issue 14, part 5):
LibreOffice Calc and openpyxl give the database's values cell for cell, account and ID numbers
keep every digit, and the amount column sums to the control total."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from huhang.benefits.models import PayrollLine
from huhang.benefits.payroll import bankfile, selectors
from huhang.benefits.payroll import services as payroll
from huhang.core import crypto, exports, money
from tests.files.office import calc_open_csv, calc_sheets, needs_soffice, values, workbook

# docs/files.md: how to open the default bank CSV in LibreOffice — GB-18030 (85), comma, every
# column text except 金额 (column 5, standard).
BANK_CSV_FILTER = "CSV:44,34,85,1,1/2/2/2/3/2/4/2/5/1/6/2/7/2/8/2/9/2"


@pytest.fixture
def approved(users, bureau2, entitled, standards):
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    return payroll.run_approve(by=bureau2, run=run)


def _database(run) -> dict[str, list]:
    """明细编号 → the default template's values as the database holds them."""
    rows = {}
    for line in PayrollLine.objects.filter(run=run).select_related("child__person"):
        rows[line.line_id] = [
            line.line_id,
            line.payee_name,
            crypto.decrypt(line.payee_account_cipher),
            line.payee_bank,
            Decimal(line.amount_fen) / 100,
            line.child.person.name,
            line.child.person.id_number,
            f"{line.for_month:%Y-%m}",
            run.programme.name,
        ]
    return rows


@needs_soffice
def test_bank_xlsx_in_calc_and_openpyxl(users, approved, tmp_path):
    data = bankfile.export_bytes(by=users["bureau"], run=approved, fmt="xlsx")
    approved.refresh_from_db()
    expected = _database(approved)
    # openpyxl: amounts are number cells, long numbers string cells.
    book = workbook(data)
    lines = book["发放明细"]
    assert [c.value for c in lines[1]] == list(bankfile.COLUMNS)
    for row in lines.iter_rows(min_row=2):
        want = expected[row[0].value]
        assert [c.data_type for c in row] == ["s", "s", "s", "s", "n", "s", "s", "s", "s"]
        got = [c.value for c in row]
        assert got[:4] + got[5:] == want[:4] + want[5:]
        assert Decimal(str(got[4])) == want[4]
        assert row[4].number_format == "#,##0.00"
    assert lines.freeze_panes == "A2"
    # LibreOffice: the same values; the amount column adds up to the 汇总 sheet's total.
    sheets = calc_sheets(data, tmp_path)
    calc = sheets["发放明细"]
    assert calc[0] == list(bankfile.COLUMNS)
    for row in calc[1:]:
        want = expected[row[0]]
        assert row[:4] + row[5:] == want[:4] + want[5:]
        assert Decimal(row[4]) == want[4]
    summary = sheets["汇总"]
    assert summary[1] == list(bankfile.SUMMARY_COLUMNS)
    assert int(summary[2][3]) == approved.line_count == len(calc) - 1
    total = sum(Decimal(row[4]) for row in calc[1:])
    assert total == Decimal(summary[2][4]) == Decimal(approved.total_fen) / 100


@needs_soffice
def test_bank_csv_opened_with_the_documented_options(users, approved, tmp_path):
    data = bankfile.export_bytes(by=users["bureau"], run=approved, fmt="csv")
    approved.refresh_from_db()
    expected = _database(approved)
    rows = values(workbook(calc_open_csv(data, tmp_path, BANK_CSV_FILTER).read_bytes()).active)
    assert rows[0] == list(bankfile.COLUMNS)
    lines, summary = rows[1:-1], rows[-1]
    for row in lines:
        want = expected[row[0]]
        assert row[:4] + row[5:] == want[:4] + want[5:]  # accounts and IDs: every digit
        assert Decimal(str(row[4])) == want[4]
    # The 合计 row puts no figure in the 金额 column: summing the column gives the total once.
    assert summary[0] == "合计" and not isinstance(summary[4], int | float)
    column = [row[4] for row in rows[1:] if isinstance(row[4], int | float)]
    assert round(sum(column) * 100) == approved.total_fen
    assert money.yuan_to_fen(str(summary[5])) == approved.total_fen


@needs_soffice
@pytest.mark.parametrize("template", ["icbc", "ccb"])
def test_bank_templates_in_calc(users, approved, tmp_path, template):
    chosen = bankfile.TEMPLATES[template]
    fmt = chosen.formats[0]
    data = bankfile.export_bytes(by=users["bureau"], run=approved, fmt=fmt, template=template)
    approved.refresh_from_db()
    amount = chosen.labels.index("金额")
    if fmt == "xlsx":
        rows = calc_sheets(data, tmp_path)["发放明细"]
    else:
        columns = "/".join(f"{i + 1}/{1 if i == amount else 2}" for i in range(len(chosen.labels)))
        book = workbook(calc_open_csv(data, tmp_path, f"CSV:44,34,85,1,{columns}").read_bytes())
        rows = [[("" if v is None else v) for v in row] for row in values(book.active)]
        head = rows[0]
        assert (head[0], int(head[1]), head[2]) == ("总笔数", approved.line_count, "总金额")
        assert round(float(head[3]) * 100) == approved.total_fen
        rows = rows[1:]
    assert tuple(rows[0]) == chosen.labels
    accounts = {
        crypto.decrypt(c) for c in approved.lines.values_list("payee_account_cipher", flat=True)
    }
    account = chosen.labels.index("收款账号" if template == "icbc" else "账号")
    assert {str(row[account]) for row in rows[1:]} == accounts
    assert round(sum(float(row[amount]) for row in rows[1:]) * 100) == approved.total_fen


@needs_soffice
def test_payroll_lines_workbook_adds_up(users, approved, tmp_path):
    sheets = selectors.run_lines_workbook(user=users["bureau"], run=approved)
    out = io.BytesIO()
    exports.write_xlsx(out, sheets)
    calc = calc_sheets(out.getvalue(), tmp_path)
    lines = calc["发放明细"]
    body = [row for row in lines[2:] if row and row[0] and row[0] != "合计"]
    total_row = next(row for row in lines if row and row[0] == "合计")
    assert len(body) == approved.line_count
    assert sum(Decimal(row[4]) for row in body) == Decimal(total_row[4])
    assert Decimal(total_row[4]) * 100 == approved.total_fen
    summary = calc["汇总"]
    assert Decimal(summary[-1][2]) * 100 == approved.total_fen
    assert all(row[6].startswith("****") for row in body)  # accounts: the last four only
