"""Bank templates (issue 14, part 4): a line's file follows its payee bank's template, else the
programme's; each template's file is read back, summed and reconciled."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from huhang.benefits import services
from huhang.benefits.models import RunStatus
from huhang.benefits.payroll import bankfile
from huhang.benefits.payroll import services as payroll
from huhang.benefits.payroll.banktemplates import TEMPLATES, for_line
from huhang.core.exceptions import DomainError
from tests.factories.benefits import confirmed

MARCH = date(2026, 3, 1)


@pytest.fixture
def mixed(users, bureau2, entitled, standards, children, settings):
    """March 2026 with 王小海 paid at ICBC and 李梅 at CCB (from February)."""
    settings.HUHANG_PAYER_ACCOUNT = "0602000109200012345"
    settings.HUHANG_PAYER_NAME = "包头市昆都仑区民政局"
    confirmed(
        services.payee_set(
            by=users["bureau"],
            child=children["c2"],
            name="李梅的母亲",
            relation="母亲",
            bank="中国建设银行包头分行",
            account="6217000010001234567",
            valid_from=date(2026, 1, 1),
        )
    )
    run = payroll.run_create(by=users["bureau"], programme=standards, month=MARCH)
    payroll.run_compute(by=users["bureau"], run=run, today=MARCH)
    return payroll.run_approve(by=bureau2, run=run)


def test_the_template_follows_the_payee_bank_then_the_programme():
    assert for_line("中国工商银行包头分行", "default").code == "icbc"
    assert for_line("中国建设银行", "default").code == "ccb"
    assert for_line("中国农业银行", "default").code == "default"
    assert for_line("中国农业银行", "ccb").code == "ccb"


def test_icbc_file_matches_its_columns_and_sums_to_its_control_total(users, mixed):
    data = bankfile.export_bytes(by=users["bureau"], run=mixed, fmt="xlsx", template="icbc")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_index(0).to_python()
    assert tuple(rows[0]) == TEMPLATES["icbc"].labels
    lines = {line.line_id: line for line in mixed.lines.all()}
    assert {row[10] for row in rows[1:]} == set(lines)  # 备注 carries the 明细编号
    assert all(row[1] == "0602000109200012345" for row in rows[1:])
    assert all(isinstance(row[8], float) for row in rows[1:])
    summary = book.get_sheet_by_name("汇总").to_python()
    assert summary[2][3:] == [mixed.line_count, mixed.total_fen / 100]
    assert round(sum(row[8] for row in rows[1:]) * 100) == mixed.total_fen


def test_ccb_file_puts_its_figures_on_a_first_line(users, mixed):
    data = bankfile.export_bytes(by=users["bureau"], run=mixed, fmt="csv", template="ccb")
    rows = list(csv.reader(io.StringIO(data.decode("gb18030"), newline="")))
    assert rows[0] == ["总笔数", str(mixed.line_count), "总金额", f"{mixed.total_fen / 100:.2f}"]
    assert tuple(rows[1]) == TEMPLATES["ccb"].labels
    assert [int(r[0]) for r in rows[2:]] == sorted(line.seq for line in mixed.lines.all())


def test_a_template_refuses_a_format_it_has_not(users, mixed):
    with pytest.raises(DomainError, match="文件格式应为 xlsx"):
        bankfile.export_bytes(by=users["bureau"], run=mixed, fmt="csv", template="icbc")


def _with_results(name: str, data: bytes) -> bytes:
    """The bank's return file for one of our files: the same file plus the two result columns."""
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(data.decode("gb18030"), newline="")))
        start = 1 if rows[0][0] == "总笔数" else 0
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerows(rows[: start + 1])
        for row in rows[start + 1 :]:
            if row[0] == "合计":
                writer.writerow(row)
            else:
                writer.writerow([*row, "成功", ""])
        text = out.getvalue().replace(
            ",".join(rows[start]), ",".join([*rows[start], "处理结果", "失败原因"]), 1
        )
        return text.encode("gb18030")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    lines = book.get_sheet_by_index(0).to_python()
    summary = book.get_sheet_by_name("汇总").to_python()
    out = io.BytesIO()
    writer = xlsxwriter.Workbook(out, {"strings_to_numbers": False})
    sheet = writer.add_worksheet("明细")
    sheet.write_row(0, 0, [*lines[0], "处理结果", "失败原因"])
    for n, row in enumerate(lines[1:], start=1):
        sheet.write_row(n, 0, [*row, "成功", ""])
    other = writer.add_worksheet("汇总")
    for n, row in enumerate(summary):
        other.write_row(n, 0, row)
    writer.close()
    return out.getvalue()


def test_split_export_reconciles_from_a_zip_of_return_files(users, mixed):
    out = io.BytesIO()
    bankfile.export_split(by=users["bureau"], run=mixed, out=out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        names = sorted(archive.namelist())
        assert [n.rsplit("_", 1)[-1] for n in names] == ["ccb.csv", "icbc.xlsx"]
        back = io.BytesIO()
        with zipfile.ZipFile(back, "w") as returned:
            for name in names:
                returned.writestr(name, _with_results(name, archive.read(name)))
    mixed.refresh_from_db()
    assert mixed.status == RunStatus.EXPORTED
    bankfile.reconcile_run(by=users["bureau"], run=mixed, data=back.getvalue())
    mixed.refresh_from_db()
    assert mixed.status == RunStatus.RECONCILED


def test_one_bank_share_alone_does_not_reconcile_the_run(users, mixed):
    out = io.BytesIO()
    bankfile.export_split(by=users["bureau"], run=mixed, out=out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        name = next(n for n in archive.namelist() if n.endswith("icbc.xlsx"))
        only = _with_results(name, archive.read(name))
    with pytest.raises(DomainError, match="回盘文件缺少本批次的明细"):
        bankfile.reconcile_run(by=users["bureau"], run=mixed, data=only)


def test_a_return_file_longer_than_its_run_is_refused_before_parsing(users, mixed):
    data = bankfile.export_bytes(by=users["bureau"], run=mixed, fmt="csv")
    mixed.refresh_from_db()
    padded = data + b"\r\n".join([b"x,y"] * 50)
    with pytest.raises(DomainError, match="超过上限"):
        bankfile.reconcile_run(by=users["bureau"], run=mixed, data=padded)
