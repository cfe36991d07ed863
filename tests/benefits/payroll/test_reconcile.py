"""Reconciliation from the bank's return file: failed lines are marked and paid again by the next
run (or a supplementary run) and nowhere else; a bad return file is refused with a clear message
and changes nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from huhang.benefits.models import PayrollLine, PayrollRun, RunStatus
from huhang.benefits.payroll import bankfile
from huhang.benefits.payroll import services as payroll
from huhang.core.exceptions import DomainError, InvalidTransition

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def make_run(
    users, approver, programme, month, *, supplementary=False, fmt="csv", encoding="gb18030"
):
    """A run computed by bureau, approved by `approver` and exported; returns it and its file."""
    run = payroll.run_create(
        by=users["bureau"], programme=programme, month=month, supplementary=supplementary
    )
    payroll.run_compute(by=users["bureau"], run=run, today=month)
    payroll.run_approve(by=approver, run=run)
    data = bankfile.export_bytes(by=users["bureau"], run=run, fmt=fmt, encoding=encoding)
    run.refresh_from_db()
    return run, data


@pytest.fixture
def march(users, bureau2, entitled, standards):
    """March 2026 exported as GB18030 CSV: January to March for two children, 6 lines."""
    return make_run(users, bureau2, standards, MARCH)


def returned(
    data: bytes,
    fmt: str = "csv",
    *,
    failed: dict[str, str] | None = None,
    edit: Callable[[dict], None] | None = None,
    read_codec: str = "gb18030",
    write_codec: str = "gb18030",
) -> bytes:
    """What the bank sends back: our file, read with plain csv/calamine (not our reader), with
    处理结果 and 失败原因 appended; `edit` may then spoil it."""
    failed = failed or {}
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode(read_codec), newline="")))
        header, lines, summary = rows[0], rows[1:-1], rows[-1] + ["", ""]
    else:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python()
        header, lines = rows[0], rows[1:]
        summary = book.get_sheet_by_name("汇总").to_python()
    file = {
        "header": [*header, "处理结果", "失败原因"],
        "lines": [
            [*line, "失败", failed[line[0]]] if line[0] in failed else [*line, "成功", ""]
            for line in lines
        ],
        "summary": summary,
    }
    if edit is not None:
        edit(file)
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(file["header"])
        writer.writerows(file["lines"])
        if file["summary"] is not None:
            writer.writerow(file["summary"])
        return text.getvalue().encode(write_codec)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False})
    sheet = book.add_worksheet("明细")
    for n, row in enumerate([file["header"], *file["lines"]]):
        sheet.write_row(n, 0, row)
    if file["summary"] is not None:
        other = book.add_worksheet("汇总")
        for n, row in enumerate(file["summary"]):
            other.write_row(n, 0, row)
    book.close()
    return out.getvalue()


def state(run: PayrollRun):
    run.refresh_from_db()
    lines = list(PayrollLine.objects.filter(run=run).values_list("pk", "status", "failure_reason"))
    return run.status, run.reconciled_by_id, lines


def line_ids(run: PayrollRun) -> list[str]:
    return [line.line_id for line in run.lines.all()]


# --- Success ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "encoding", "write_codec"),
    [
        ("xlsx", "gb18030", None),
        ("csv", "gb18030", "gb18030"),
        ("csv", "utf-8", "utf-8-sig"),
        ("csv", "utf-8", "utf-8"),  # the bank's software dropped the BOM
        ("csv", "gb18030", "utf-8"),  # or re-encoded the file
    ],
)
def test_failed_lines_are_marked_and_the_run_reconciled(
    users, bureau2, entitled, standards, fmt, encoding, write_codec
):
    run, data = make_run(users, bureau2, standards, MARCH, fmt=fmt, encoding=encoding)
    first = line_ids(run)[0]
    back = returned(
        data,
        fmt,
        failed={first: "账户已销户"},
        read_codec={"gb18030": "gb18030", "utf-8": "utf-8-sig"}[encoding],
        write_codec=write_codec,
    )
    bankfile.reconcile_run(by=users["bureau"], run=run, data=back)
    run.refresh_from_db()
    assert run.status == RunStatus.RECONCILED and run.reconciled_by == users["bureau"]
    statuses = {line.line_id: (line.status, line.failure_reason) for line in run.lines.all()}
    assert statuses.pop(first) == ("failed", "账户已销户")
    assert set(statuses.values()) == {("paid", "")}


def test_the_next_run_pays_the_failed_line_again_and_nothing_else(
    users, bureau2, march, standards, children
):
    run, data = march
    failed = run.lines.get(child=children["xiaohai"], for_month=MARCH)
    bankfile.reconcile_run(
        by=users["bureau"], run=run, data=returned(data, failed={failed.line_id: "户名不符"})
    )
    payroll.run_close(by=users["bureau"], run=run)
    april, _data = make_run(users, bureau2, standards, APRIL)
    assert sorted(
        (line.child_id, line.for_month, line.amount_fen) for line in april.lines.all()
    ) == sorted(
        [
            (children["xiaohai"].pk, MARCH, 130000),  # the failed line, once more
            (children["xiaohai"].pk, APRIL, 130000),
            (children["c2"].pk, APRIL, 130000),
        ]
    )
    assert april.total_fen == 3 * 130000


def test_a_supplementary_run_pays_exactly_the_failed_lines(users, bureau2, march, standards):
    run, data = march
    failed = {line.line_id: line for line in run.lines.all()[:2]}
    bankfile.reconcile_run(
        by=users["bureau"],
        run=run,
        data=returned(data, failed=dict.fromkeys(failed, "账号有误")),
    )
    extra, extra_data = make_run(users, bureau2, standards, MARCH, supplementary=True)
    assert sorted(
        (line.child_id, line.for_month, line.amount_fen) for line in extra.lines.all()
    ) == sorted((line.child_id, line.for_month, line.amount_fen) for line in failed.values())
    # Once paid, they are paid: a further supplementary run finds nothing.
    bankfile.reconcile_run(by=users["bureau"], run=extra, data=returned(extra_data))
    again = payroll.run_create(
        by=users["bureau"], programme=standards, month=MARCH, supplementary=True
    )
    payroll.run_compute(by=users["bureau"], run=again, today=MARCH)
    assert again.line_count == 0


@pytest.mark.parametrize("summary_too", [False, True])
def test_the_bank_may_move_columns_and_add_its_own(users, march, summary_too):
    run, data = march
    order = [10, 9, *range(9)]

    def reorder(file):
        file["header"] = [file["header"][i] for i in order] + ["银行流水号"]
        file["lines"] = [[line[i] for i in order] + ["BK001"] for line in file["lines"]]
        if summary_too:  # 合计 then lands in the 明细编号 column; the pairs stay pairs
            file["summary"] = ["", "", "合计", "笔数", "6", "合计金额", "7800.00"]

    bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(data, edit=reorder))
    assert state(run)[0] == RunStatus.RECONCILED


def test_amounts_turned_into_numbers_by_excel_are_accepted(users, bureau2, entitled, standards):
    run, data = make_run(users, bureau2, standards, MARCH, fmt="xlsx")

    def numbers(file):
        for line in file["lines"]:
            line[4] = float(line[4])  # 1300.0, as Excel stores it
        file["summary"][2][3] = 6.0  # (row 1 is the sheet's title, row 2 its header)
        file["summary"][2][4] = 7800.0

    bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(data, "xlsx", edit=numbers))
    assert state(run)[0] == RunStatus.RECONCILED


# --- Refusals -----------------------------------------------------------------------------------


def unknown_line(file):
    file["lines"][0][0] = "999999-0000001"


def duplicated_line(file):
    file["lines"].append(list(file["lines"][2]))


def missing_line(file):
    del file["lines"][-1]


def wrong_amount(file):
    file["lines"][1][4] = "1300.01"


def wrong_total(file):
    file["summary"][5] = "7800.01"


def wrong_count(file):
    file["summary"][2] = "7"


def no_summary(file):
    file["summary"] = None


def summary_without_figures(file):
    file["summary"] = ["合计", "", "", "", "", "", "", "", "", "", ""]


def bad_result(file):
    file["lines"][0][9] = "已退回"


def failed_without_reason(file):
    file["lines"][0][9] = "失败"
    file["lines"][0][10] = ""


def missing_columns(file):
    file["header"] = file["header"][:-2]
    file["lines"] = [line[:-2] for line in file["lines"]]


def line_after_summary(file):
    last = file["lines"].pop()
    file["lines"].append(file["summary"])
    file["summary"] = last


def bad_amount_text(file):
    file["lines"][3][4] = "一千三百"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (unknown_line, "明细 999999-0000001）：该明细不属于本批次"),
        (duplicated_line, "明细重复出现"),
        (missing_line, "回盘文件缺少本批次的明细"),
        (wrong_amount, "金额“1300.01”与本批次的 1300.00 元不符"),
        (bad_amount_text, "金额“一千三百”与本批次的 1300.00 元不符"),
        (wrong_total, "合计金额 7800.01 元与本批次的 6 笔、7800.00 元不符"),
        (wrong_count, "笔数 7、合计金额 7800.00 元与本批次的 6 笔"),
        (no_summary, "缺少“合计”行"),
        (summary_without_figures, "无法读取笔数或合计金额"),
        (bad_result, "处理结果应为“成功”或“失败”，而不是“已退回”"),
        (failed_without_reason, "处理结果为失败时须填写失败原因"),
        (missing_columns, "回盘文件缺少列：处理结果、失败原因"),
        (line_after_summary, "“合计”行之后不应再有内容"),
    ],
)
def test_a_bad_csv_return_file_is_refused_and_changes_nothing(users, march, edit, message):
    run, data = march
    before = state(run)
    with pytest.raises(DomainError) as refused:
        bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(data, edit=edit))
    assert message in refused.value.message
    assert "\n" not in refused.value.message
    assert state(run) == before


def test_the_message_names_the_missing_line(users, march):
    run, data = march
    last = line_ids(run)[-1]
    with pytest.raises(DomainError, match=last):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(data, edit=missing_line))


def test_the_message_names_the_duplicated_line(users, march):
    run, data = march
    third = line_ids(run)[2]
    with pytest.raises(DomainError, match=f"明细 {third}）：明细重复出现"):
        bankfile.reconcile_run(
            by=users["bureau"], run=run, data=returned(data, edit=duplicated_line)
        )


def test_another_runs_file_is_refused(users, bureau2, march, standards):
    run, _data = march
    other, other_data = make_run(users, bureau2, standards, MARCH, supplementary=True)
    assert other.line_count == 0
    before = state(run)
    with pytest.raises(DomainError, match="不属于本批次"):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(_data_of_other(run)))
    assert state(run) == before
    # An empty run's file against a run with lines: every line is missing.
    with pytest.raises(DomainError, match=r"缺少本批次的明细 .*等 6 笔"):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(other_data))
    assert state(run) == before


def _data_of_other(run):
    """Run's own file but with 明细编号 from a different run number."""
    lines = "\r\n".join(
        ",".join([f"{run.pk + 1:06d}-{line.seq:07d}", "x", "1", "x", "1300.00", "x", "x", "x", "x"])
        for line in run.lines.all()
    )
    header = "明细编号,收款人姓名,收款人账号,开户行,金额,儿童姓名,儿童公民身份号码,发放月份,项目"
    summary = "合计,笔数,6,合计金额,7800.00,,,,"
    return f"{header}\r\n{lines}\r\n{summary}\r\n".encode("gb18030")


def xlsx_wrong_total(file):
    file["summary"][2][4] = "7799.99"


def xlsx_no_summary_sheet(file):
    file["summary"] = None


def xlsx_summary_without_values(file):
    file["summary"] = file["summary"][:2]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (unknown_line, "该明细不属于本批次"),
        (duplicated_line, "明细重复出现"),
        (missing_line, "缺少本批次的明细"),
        (wrong_amount, "与本批次的 1300.00 元不符"),
        (xlsx_wrong_total, "“汇总”工作表：笔数 6、合计金额 7799.99 元"),
        (xlsx_no_summary_sheet, "缺少“汇总”工作表"),
        (xlsx_summary_without_values, "“汇总”工作表：无法读取笔数或合计金额"),
        (failed_without_reason, "须填写失败原因"),
    ],
)
def test_a_bad_xlsx_return_file_is_refused_and_changes_nothing(
    users, bureau2, entitled, standards, edit, message
):
    run, data = make_run(users, bureau2, standards, MARCH, fmt="xlsx")
    before = state(run)
    with pytest.raises(DomainError) as refused:
        bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(data, "xlsx", edit=edit))
    assert message in refused.value.message
    assert state(run) == before


def test_an_amount_finer_than_a_fen_in_xlsx_is_refused(users, bureau2, entitled, standards):
    run, data = make_run(users, bureau2, standards, MARCH, fmt="xlsx")

    def fraction(file):
        file["lines"][0][4] = 1300.001

    before = state(run)
    with pytest.raises(DomainError, match=re.escape("金额“1300.001”")):
        bankfile.reconcile_run(
            by=users["bureau"], run=run, data=returned(data, "xlsx", edit=fraction)
        )
    assert state(run) == before


# --- Encodings ------------------------------------------------------------------------------------


def test_utf16_is_refused_as_a_wrong_encoding(users, march):
    run, data = march
    text = returned(data, write_codec="utf-8").decode("utf-8")
    utf16 = text.encode("utf-16")  # what "Unicode text" in some spreadsheets saves
    for codec in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            utf16.decode(codec)
    before = state(run)
    with pytest.raises(DomainError, match="文件编码无法识别"):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=utf16)
    assert state(run) == before


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused(users, march):
    run, data = march
    good = returned(data)
    # 0xFF is never a byte of UTF-8, nor of GB18030 (its lead bytes stop at 0xFE).
    spoiled = good[:40] + b"\xff\xfe\x00" + good[40:]
    for codec in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            spoiled.decode(codec)
    before = state(run)
    with pytest.raises(DomainError, match="GB18030 或 UTF-8"):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=spoiled)
    assert state(run) == before


def test_shift_jis_is_refused(users, march):
    run, data = march
    text = returned(data, write_codec="utf-8").decode("utf-8")
    # Japanese spellings of the headers: Shift-JIS bytes happen to decode as (wrong) GB18030.
    text = text.replace("明细编号", "明細番号").replace("金额", "金額")
    sjis = text.encode("shift_jis", errors="replace")
    with pytest.raises(UnicodeDecodeError):
        sjis.decode("utf-8")
    assert "明细编号" not in sjis.decode("gb18030")  # decodes, but to nonsense
    before = state(run)
    with pytest.raises(DomainError, match=r"回盘文件缺少列.*编码为 GB18030 或 UTF-8"):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=sjis)
    assert state(run) == before


@pytest.mark.parametrize(
    "data", [b"", b"\r\n\r\n", b"PK\x03\x04not really a zip", b"\xd0\xcf\x11\xe0garbage"]
)
def test_unreadable_files_are_refused(users, march, data):
    run, _data = march
    before = state(run)
    with pytest.raises(DomainError):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=data)
    assert state(run) == before


# --- States ---------------------------------------------------------------------------------------


def test_only_an_exported_run_is_reconciled(users, bureau2, entitled, standards, march):
    run, data = march
    bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(data))
    with pytest.raises(InvalidTransition):
        bankfile.reconcile_run(by=users["bureau"], run=run, data=returned(data))
    draft = payroll.run_create(
        by=users["bureau"], programme=standards, month=MARCH, supplementary=True
    )
    with pytest.raises(InvalidTransition):
        bankfile.reconcile_run(by=users["bureau"], run=draft, data=returned(data))


def test_only_the_bureau_reconciles(users, march):
    from huhang.core.exceptions import NotAllowed

    run, data = march
    before = state(run)
    with pytest.raises(NotAllowed):
        bankfile.reconcile_run(by=users["auditor"], run=run, data=returned(data))
    assert state(run) == before
