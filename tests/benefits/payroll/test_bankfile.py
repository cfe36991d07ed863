"""Bank files: XLSX and CSV (GB18030, UTF-8 with BOM) re-read and checked — columns, exact
amounts, a summary no reader can take for a line, and the account in full only here."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from huhang.benefits import services
from huhang.benefits.models import PayrollLine, RunStatus
from huhang.benefits.payroll import bankfile
from huhang.benefits.payroll import selectors as payroll_selectors
from huhang.benefits.payroll import services as payroll
from huhang.core import money
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.models import AuditEvent
from tests.factories.benefits import PayeeFactory, confirmed

COLUMNS = [
    "明细编号",
    "收款人姓名",
    "收款人账号",
    "开户行",
    "金额",
    "儿童姓名",
    "儿童公民身份号码",
    "发放月份",
    "项目",
]
ACCOUNTS = {"xiaohai": "6222020200001234567", "c2": "6228480000007654321"}
LINE_ID = re.compile(r"^\d{6}-\d{7}$")


@pytest.fixture
def approved(users, bureau2, entitled, standards):
    """March 2026: January to March for two children, 1,300.00 each, approved by bureau2."""
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    return payroll.run_approve(by=bureau2, run=run)


def expected_rows(run, children):
    account = {children[key].pk: number for key, number in ACCOUNTS.items()}
    return [
        [
            line.line_id,
            line.payee_name,
            account[line.child_id],
            line.payee_bank,
            money.fen_to_yuan(line.amount_fen),
            line.child.person.name,
            line.child.person.id_number,
            f"{line.for_month:%Y-%m}",
            run.programme.name,
        ]
        for line in PayrollLine.objects.filter(run=run).select_related("child__person")
    ]


def csv_rows(data: bytes, codec: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(codec), newline="")))


def test_xlsx_has_the_lines_and_a_separate_summary_sheet(users, approved, children):
    data = bankfile.export_bytes(by=users["bureau"], run=approved, fmt="xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["发放明细", "汇总"]
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0] == COLUMNS
    # Amounts are numbers (a clerk's SUM works); account, ID and line numbers stay text.
    expected = [[*row[:4], float(row[4]), *row[5:]] for row in expected_rows(approved, children)]
    assert rows[1:] == expected
    assert len(rows) == 1 + 6
    summary = book.get_sheet_by_name("汇总").to_python()
    assert summary[1:] == [
        ["批次", "项目", "发放月份", "笔数", "合计金额"],
        [f"{approved.pk:06d}", approved.programme.name, "2026-03", 6.0, 7800.0],
    ]
    assert sum(row[4] for row in rows[1:]) == summary[2][4]
    approved.refresh_from_db()
    assert approved.status == RunStatus.EXPORTED
    assert approved.exported_by == users["bureau"]


@pytest.mark.parametrize(
    ("encoding", "codec", "bom"),
    [("gb18030", "gb18030", False), ("utf-8", "utf-8-sig", True)],
)
def test_csv_has_the_lines_and_a_trailing_summary_row(
    users, approved, children, encoding, codec, bom
):
    data = bankfile.export_bytes(by=users["bureau"], run=approved, fmt="csv", encoding=encoding)
    assert data.startswith(b"\xef\xbb\xbf") is bom
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # really GB18030, not UTF-8 under another name
    rows = csv_rows(data, codec)
    assert rows[0] == COLUMNS
    assert rows[1:-1] == expected_rows(approved, children)
    assert all(LINE_ID.match(row[0]) for row in rows[1:-1])
    summary = rows[-1]
    # The control figures never sit in the 金额 column: summing it gives the total once.
    assert summary == ["合计", "笔数", "6", "", "合计金额", "7800.00", "", "", ""]
    assert not LINE_ID.match(summary[0])  # cannot be taken for a line
    assert sum(money.yuan_to_fen(row[4]) for row in rows[1:-1]) == money.yuan_to_fen(summary[5])


def test_amounts_are_exact_to_the_fen(users, bureau2, entitled, standards, children):
    # 1,234,567.89 yuan a month from March: a float would already blur the fen at this size
    # once summed over many lines; integer fen cannot.
    services.standard_set(
        by=users["bureau"],
        programme=standards,
        effective_from=date(2026, 3, 1),
        amount_fen=123456789,
    )
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    payroll.run_approve(by=bureau2, run=run)
    rows = csv_rows(bankfile.export_bytes(by=users["bureau"], run=run, fmt="csv"), "gb18030")
    amounts = sorted({row[4] for row in rows[1:-1]})
    assert amounts == ["1234567.89", "1300.00"]
    assert rows[-1][5] == "2474335.78"  # 2 × 2 × 1,300.00 (Jan, Feb) + 2 × 1,234,567.89
    assert money.yuan_to_fen(rows[-1][5]) == run.total_fen == 4 * 130000 + 2 * 123456789


def test_the_account_is_in_full_only_in_the_bank_file(users, approved, children):
    data = bankfile.export_bytes(by=users["bureau"], run=approved, fmt="csv", encoding="utf-8")
    text = data.decode("utf-8-sig")
    for account in ACCOUNTS.values():
        assert account in text
        # Stored encrypted on the line and never written to the audit trail.
        assert not PayrollLine.objects.filter(payee_account_cipher__contains=account).exists()
        assert PayrollLine.objects.filter(payee_account_last4=account[-4:]).exists()
        for event in AuditEvent.objects.all():
            assert account not in json.dumps(event.detail, ensure_ascii=False)
            assert account not in event.object_label


def test_export_is_audited_with_its_format(users, approved):
    bankfile.export_bytes(by=users["bureau"], run=approved, fmt="csv", encoding="utf-8")
    event = (
        AuditEvent.objects.filter(object_type="payroll_run", object_id=str(approved.pk))
        .order_by("pk")
        .last()
    )
    assert event.username == "bureau"
    assert event.detail == {"step": "exported", "status": "exported", "format": "csv/utf-8"}


def test_exporting_again_writes_the_same_lines(users, approved):
    first = bankfile.export_bytes(by=users["bureau"], run=approved, fmt="csv")
    again = bankfile.export_bytes(by=users["bureau"], run=approved, fmt="csv")
    assert first == again


def test_our_reader_reads_our_files_back(users, approved):
    for fmt in ("xlsx", "csv"):
        bank = bankfile.read(bankfile.export_bytes(by=users["bureau"], run=approved, fmt=fmt))
        assert bank.header == COLUMNS
        assert len(bank.rows) == 6
        assert [(s.count, s.total_fen) for s in bank.summaries] == [(6, 780000)]


def test_a_run_not_approved_cannot_be_exported(users, entitled, standards):
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    out = io.BytesIO()
    with pytest.raises(InvalidTransition):
        bankfile.export_run(by=users["bureau"], run=run, fmt="xlsx", out=out)
    assert out.getvalue() == b""
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED


def test_totals_that_disagree_stop_the_export_before_anything_is_written(
    users, approved, monkeypatch
):
    # The database keeps an approved run's total equal to its lines; this is the belt to those
    # braces, so the disagreement is simulated.
    monkeypatch.setattr(payroll_selectors, "run_totals_agree", lambda run: False)
    out = io.BytesIO()
    with pytest.raises(DomainError, match="不符"):
        bankfile.export_run(by=users["bureau"], run=approved, fmt="csv", out=out)
    assert out.getvalue() == b""
    approved.refresh_from_db()
    assert approved.status == RunStatus.APPROVED


def test_a_run_too_long_for_one_worksheet_is_exported_as_csv_only(users, approved, monkeypatch):
    monkeypatch.setattr(bankfile, "XLSX_MAX_LINES", 5)  # a sheet's real limit is 1,048,575
    with pytest.raises(DomainError, match="请导出 CSV"):
        bankfile.export_bytes(by=users["bureau"], run=approved, fmt="xlsx")
    approved.refresh_from_db()
    assert approved.status == RunStatus.APPROVED
    assert bankfile.export_bytes(by=users["bureau"], run=approved, fmt="csv")


@pytest.mark.parametrize(("fmt", "encoding"), [("pdf", "gb18030"), ("csv", "latin-1")])
def test_unknown_formats_and_encodings_are_refused(users, approved, fmt, encoding):
    with pytest.raises(DomainError):
        bankfile.export_bytes(by=users["bureau"], run=approved, fmt=fmt, encoding=encoding)
    approved.refresh_from_db()
    assert approved.status == RunStatus.APPROVED


def test_only_the_bureau_exports(users, approved):
    from huhang.core.exceptions import NotAllowed

    with pytest.raises(NotAllowed):
        bankfile.export_bytes(by=users["auditor"], run=approved, fmt="xlsx")


def test_names_that_look_like_formulas_stay_text(users, bureau2, entitled, standards, children):
    with pytest.raises(DomainError, match="姓名不能以"):
        confirmed(
            services.payee_set(
                by=users["bureau"],
                child=children["xiaohai"],
                name="=HYPERLINK(1)",
                relation="母亲",
                bank="中国工商银行",
                account="6222020200009999999",
                valid_from=date(2026, 1, 1),
            )
        )
    # A payee stored before names were checked (or by another way in) is still written as text.
    PayeeFactory(
        child=children["xiaohai"],
        name="=HYPERLINK(1)",
        account="6222020200009999999",
        valid_from=date(2026, 1, 1),
    )
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    payroll.run_approve(by=bureau2, run=run)
    data = bankfile.export_bytes(by=users["bureau"], run=run, fmt="xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert "=HYPERLINK(1)" in [row[1] for row in rows]
    assert "6222020200009999999" in [row[2] for row in rows]


@pytest.mark.parametrize(
    ("fen", "yuan"),
    [(0, "0.00"), (1, "0.01"), (10, "0.10"), (100, "1.00"), (135050, "1350.50"), (-5, "-0.05")],
)
def test_yuan_formatting(fen, yuan):
    assert money.fen_to_yuan(fen) == yuan
    assert money.yuan_to_fen(yuan) == fen


@pytest.mark.parametrize("text", ["", "1.234", "1e3", "abc", "1.2.3", "¥1"])
def test_amounts_finer_than_a_fen_or_not_numbers_are_not_amounts(text):
    with pytest.raises(ValueError):
        money.yuan_to_fen(text)
