"""Bank files (银行代发文件) for a payroll run, and reconciliation from the bank's return file
(回盘文件).

The bank file
-------------
One row per payroll line, under a header row with exactly these columns, in this order::

    明细编号 收款人姓名 收款人账号 开户行 金额 儿童姓名 儿童公民身份号码 发放月份 项目

- 明细编号 is the line id (`PayrollLine.line_id`, ``NNNNNN-NNNNNNN``: run and sequence), unique
  across all runs.
- 收款人账号 is the payee's account in full. This file is the only place it is decrypted; everywhere
  else it is masked (core.masking).
- 金额 is yuan with exactly two decimals ("1300.00"), formatted from integer fen, never via float.
- 发放月份 is the month the line pays for (YYYY-MM): a 补发 line pays an earlier month than the
  run's. 项目 is the programme's name.
- Every cell is text (in XLSX too), so that account and ID numbers keep all their digits and no
  value is ever taken for a formula.

The control total and the line count are written where no reader can take them for a line:

- **XLSX**: the lines are on the first sheet, "发放明细"; a second sheet, "汇总", has a header row
  ``批次 项目 发放月份 笔数 合计金额`` and one row of values (批次 is the run's number as in the
  明细编号, 发放月份 the run's month).
- **CSV** (GB18030 by default, or UTF-8 with a byte-order mark): after the last line comes one
  summary row whose first cell is "合计" — never a 明细编号 — followed by label/value pairs::

      合计,笔数,2,合计金额,2600.00,,,,

The return file
---------------
The bank's return file is that file with two more columns, 处理结果 ("成功" or "失败") and
失败原因 (required when 失败). Columns are found by their header names, so the bank may put the two
new columns anywhere; the summary (汇总 sheet, or 合计 row) must still be there and still agree.
CSV return files may be UTF-8 (with or without BOM) or GB18030: UTF-8 is tried strictly first,
then GB18030; a file that is neither is refused. XLSX (or XLS) files are read with calamine.

Reconciliation checks the whole file before changing anything — columns, every line known and
present exactly once, every amount equal to the run's, the control total and count, the results —
and refuses at the first problem with a one-line message (DomainError). Only then does
`payroll.services.run_apply_results` write the bank's results, in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO, TYPE_CHECKING

import python_calamine
import xlsxwriter
from django.utils.translation import gettext as _

from huhang.benefits.models import PayrollLine, PayrollRun, RunStatus
from huhang.benefits.payroll import selectors, services
from huhang.core import crypto
from huhang.core.access import require
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.money import fen_to_yuan, yuan_to_fen

if TYPE_CHECKING:
    from huhang.accounts.models import User

COLUMNS = (
    "明细编号",
    "收款人姓名",
    "收款人账号",
    "开户行",
    "金额",
    "儿童姓名",
    "儿童公民身份号码",
    "发放月份",
    "项目",
)
RESULT_COLUMNS = ("处理结果", "失败原因")
SUCCESS, FAILURE = "成功", "失败"

LINES_SHEET = "发放明细"
SUMMARY_SHEET = "汇总"
SUMMARY_COLUMNS = ("批次", "项目", "发放月份", "笔数", "合计金额")
SUMMARY_MARK = "合计"
COUNT_LABEL = "笔数"
TOTAL_LABEL = "合计金额"

FORMATS = ("xlsx", "csv")
# Python codec for each encoding offered; "utf-8-sig" writes the BOM Excel needs to see UTF-8.
ENCODINGS = {"gb18030": "gb18030", "utf-8": "utf-8-sig"}

# A worksheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_LINES = 1_048_575
_XLSX_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx), OLE (xls)
_MISSING_SHOWN = 3


# --- Money ----------------------------------------------------------------------------------------


def cell_fen(value: object) -> int | None:
    """An amount cell as fen: text as written by us, or a number if the bank's software turned
    the column into numbers (a float read back from XLSX goes through its shortest repr)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        try:
            amount = Decimal(repr(value))
        except InvalidOperation:
            return None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            return None
        return int(amount * 100)
    try:
        return yuan_to_fen(str(value))
    except ValueError:
        return None


def _line_id(run_id: int, seq: int) -> str:
    # The same format as PayrollLine.line_id, without building a model per line.
    return f"{run_id:06d}-{seq:07d}"


# --- Export ---------------------------------------------------------------------------------------


def filename(run: PayrollRun, fmt: str) -> str:
    kind = "补充" if run.supplementary else "代发"
    return f"银行{kind}_{run.programme_id}_{run.month:%Y-%m}_{run.pk:06d}.{fmt}"


def export_run(
    *, by: User, run: PayrollRun, fmt: str, out: IO[bytes], encoding: str = "gb18030"
) -> PayrollRun:
    """Write the run's bank file to `out` (a binary file) and mark the run exported (approved →
    exported, audited; exporting an exported run again writes the same lines).

    The run's total must equal the sum of its lines before anything is written, and the lines
    written must add up to it too; otherwise DomainError. The file holds full account and ID
    numbers: the caller keeps it where only the bureau can read it."""
    require(by, "benefits.manage")  # before anything is read: the file holds full accounts
    if fmt not in FORMATS:
        raise DomainError(_("银行文件格式应为 xlsx 或 csv。"))
    if fmt == "csv" and encoding not in ENCODINGS:
        raise DomainError(_("CSV 编码应为 gb18030 或 utf-8。"))
    if not selectors.run_totals_agree(run):
        raise DomainError(_("批次总金额或笔数与明细合计不符，不能导出。"))
    if fmt == "xlsx" and run.line_count > XLSX_MAX_LINES:
        raise DomainError(
            _("本批次有 %(n)d 笔，超过 Excel 单个工作表的上限 %(max)d 笔，请导出 CSV。")
            % {"n": run.line_count, "max": XLSX_MAX_LINES}
        )
    label = fmt if fmt == "xlsx" else f"csv/{encoding}"
    # Marked first: if writing fails afterwards, exporting again is allowed and writes the same
    # frozen lines; marking after writing could leave a file out there for a run not exported.
    run = services.run_mark_exported(by=by, run=run, fmt=label)
    if fmt == "xlsx":
        count, total = _write_xlsx(run, out)
    else:
        count, total = _write_csv(run, out, ENCODINGS[encoding])
    if (count, total) != (run.line_count, run.total_fen):
        raise DomainError(_("写出的明细合计与批次总金额不符，银行文件作废。"))
    return run


def export_bytes(*, by: User, run: PayrollRun, fmt: str, encoding: str = "gb18030") -> bytes:
    buffer = io.BytesIO()
    export_run(by=by, run=run, fmt=fmt, out=buffer, encoding=encoding)
    return buffer.getvalue()


def _rows(run: PayrollRun) -> Iterator[tuple[list[str], int]]:
    """The run's lines as bank-file rows (with each amount in fen), streamed in 明细编号 order."""
    # Lines are ordered by child, then month: one payee's lines are adjacent, so a small cache
    # decrypts each account once without keeping every plaintext account in memory.
    decrypt = lru_cache(maxsize=256)(crypto.decrypt)
    programme = run.programme.name
    lines = (
        PayrollLine.objects.filter(run=run)
        .order_by("seq")
        .values_list(
            "seq",
            "payee_name",
            "payee_account_cipher",
            "payee_bank",
            "amount_fen",
            "child__person__name",
            "child__person__id_number",
            "for_month",
        )
    )
    for seq, payee, cipher, bank, fen, child, id_number, month in lines.iterator(chunk_size=5000):
        row = [
            _line_id(run.pk, seq),
            payee,
            decrypt(cipher),
            bank,
            fen_to_yuan(fen),
            child,
            id_number or "",
            f"{month:%Y-%m}",
            programme,
        ]
        yield row, fen


def _write_csv(run: PayrollRun, out: IO[bytes], codec: str) -> tuple[int, int]:
    text = io.TextIOWrapper(out, encoding=codec, newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        count = total = 0
        for row, fen in _rows(run):
            writer.writerow(row)
            count += 1
            total += fen
        summary = [SUMMARY_MARK, COUNT_LABEL, str(count), TOTAL_LABEL, fen_to_yuan(total)]
        writer.writerow(summary + [""] * (len(COLUMNS) - len(summary)))
        text.flush()
    finally:
        text.detach()  # leave the caller's file open
    return count, total


def _write_xlsx(run: PayrollRun, out: IO[bytes]) -> tuple[int, int]:
    workbook = xlsxwriter.Workbook(
        out,
        {
            # Rows are flushed to disk as written: a million lines do not sit in memory.
            "constant_memory": True,
            # Text stays text: no account number as a float, no name taken for a formula or URL.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(LINES_SHEET)
    for col, width in enumerate((16, 14, 24, 24, 12, 10, 20, 10, 24)):
        sheet.set_column(col, col, width)
    sheet.write_row(0, 0, COLUMNS, bold)
    count = total = 0
    for row, fen in _rows(run):
        count += 1
        total += fen
        sheet.write_row(count, 0, row)
    summary = workbook.add_worksheet(SUMMARY_SHEET)
    summary.set_column(0, len(SUMMARY_COLUMNS) - 1, 14)
    summary.write_row(0, 0, SUMMARY_COLUMNS, bold)
    summary.write_row(
        1,
        0,
        [f"{run.pk:06d}", run.programme.name, f"{run.month:%Y-%m}", str(count), fen_to_yuan(total)],
    )
    workbook.close()
    return count, total


# --- Reading a bank file --------------------------------------------------------------------------


@dataclass
class Summary:
    """Control figures found in a file: where (for messages), count and total in fen."""

    where: str
    count: int | None
    total_fen: int | None


@dataclass
class BankFile:
    """A bank or return file as read: the header, the data rows (with their row numbers in the
    file, counting from 1) and every summary found."""

    fmt: str
    header: list[str]
    rows: list[tuple[int, Sequence[object]]] = field(default_factory=list)
    summaries: list[Summary] = field(default_factory=list)


def read(data: bytes) -> BankFile:
    """Read a bank or return file (XLSX/XLS or CSV, format detected from the content). Refuses,
    with DomainError, what cannot be read; checks nothing about any run, nor that the summary
    is there (`read_results` does)."""
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    return _read_csv(data)


def _decode(data: bytes) -> str:
    # Strict UTF-8 first: GB18030 text is almost never valid UTF-8, while GB18030 would decode
    # most UTF-8 into nonsense instead of failing.
    for codec in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise DomainError(_("文件编码无法识别：CSV 回盘文件应为 GB18030 或 UTF-8 编码。"))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(row: Sequence[object]) -> bool:
    return all(_text(cell) == "" for cell in row)


def _read_csv(data: bytes) -> BankFile:
    text = _decode(data)
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DomainError(_("CSV 文件格式错误：%(e)s") % {"e": exc}) from exc
    return _split(table, fmt="csv")


def _read_xlsx(data: bytes) -> BankFile:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = workbook.sheet_names
        table = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        summary = (
            workbook.get_sheet_by_name(SUMMARY_SHEET).to_python(skip_empty_area=False)
            if SUMMARY_SHEET in sheets[1:]
            else None
        )
    except python_calamine.CalamineError as exc:
        raise DomainError(_("无法读取 Excel 文件：%(e)s") % {"e": exc}) from exc
    bank = _split(table, fmt="xlsx")
    if summary is not None:
        bank.summaries.append(_summary_sheet(summary))
    return bank


def _split(table: Sequence[Sequence[object]], *, fmt: str) -> BankFile:
    """Header, data rows and a trailing 合计 row (in either format)."""
    numbered = [(n, row) for n, row in enumerate(table, start=1) if not _blank(row)]
    if not numbered:
        raise DomainError(_("文件是空的。"))
    header = [_text(cell).lstrip("\ufeff") for cell in numbered[0][1]]
    bank = BankFile(fmt=fmt, header=header)
    # The summary row starts with 合计; if the bank moved the columns, it may have moved that
    # cell into the 明细编号 column with the rest.
    marks = {0, header.index(COLUMNS[0])} if COLUMNS[0] in header else {0}
    for n, row in numbered[1:]:
        if bank.summaries:
            raise DomainError(_("第%(n)d行：“合计”行之后不应再有内容。") % {"n": n})
        if any(i < len(row) and _text(row[i]) == SUMMARY_MARK for i in marks):
            bank.summaries.append(_summary_row(n, row))
        else:
            bank.rows.append((n, row))
    return bank


def _after(row: Sequence[object], label: str) -> object:
    """The cell following the first cell that reads `label` (a label/value pair)."""
    cells = [_text(cell) for cell in row]
    if label not in cells:
        return None
    index = cells.index(label) + 1
    return row[index] if index < len(row) else None


def _count(value: object) -> int | None:
    text = _text(value)
    return int(text) if text.isdigit() else None


def _summary_row(n: int, row: Sequence[object]) -> Summary:
    return Summary(
        where=_("第%(n)d行（合计行）") % {"n": n},
        count=_count(_after(row, COUNT_LABEL)),
        total_fen=cell_fen(_after(row, TOTAL_LABEL)),
    )


def _summary_sheet(table: Sequence[Sequence[object]]) -> Summary:
    rows = [row for row in table if not _blank(row)]
    where = _("“汇总”工作表")
    if len(rows) < 2:
        return Summary(where=where, count=None, total_fen=None)
    header = [_text(cell) for cell in rows[0]]
    values = rows[1]

    def value(label: str) -> object:
        if label not in header or header.index(label) >= len(values):
            return None
        return values[header.index(label)]

    return Summary(
        where=where, count=_count(value(COUNT_LABEL)), total_fen=cell_fen(value(TOTAL_LABEL))
    )


# --- Reconciliation -------------------------------------------------------------------------------


def read_results(*, run: PayrollRun, data: bytes) -> dict[str, tuple[bool, str]]:
    """Check a return file against the run, completely, and return the bank's result per line
    (明细编号 → (success, reason)). Raises DomainError at the first problem; changes nothing."""
    bank = read(data)
    missing = [name for name in (*COLUMNS, *RESULT_COLUMNS) if name not in bank.header]
    if missing:
        raise DomainError(
            _(
                "回盘文件缺少列：%(cols)s（请确认是本批次的银行文件加上处理结果，编码为 GB18030 或 UTF-8）。"
            )
            % {"cols": "、".join(missing)}
        )
    if not bank.summaries:
        raise DomainError(
            _("CSV 文件缺少“合计”行（笔数与合计金额）。")
            if bank.fmt == "csv"
            else _("Excel 文件缺少“汇总”工作表（笔数与合计金额）。")
        )
    expected = dict(
        PayrollLine.objects.filter(run=run)
        .values_list("seq", "amount_fen")
        .iterator(chunk_size=5000)
    )
    amounts = {_line_id(run.pk, seq): fen for seq, fen in expected.items()}
    columns = {name: bank.header.index(name) for name in (*COLUMNS, *RESULT_COLUMNS)}
    results: dict[str, tuple[bool, str]] = {}
    for n, row in bank.rows:
        line_id, result = _check_row(columns, n, row, amounts, results)
        results[line_id] = result
    _check_complete(run, amounts, results)
    for summary in bank.summaries:
        _check_summary(run, summary)
    return results


def _check_row(
    columns: dict[str, int],
    n: int,
    row: Sequence[object],
    amounts: dict[str, int],
    seen: dict[str, tuple[bool, str]],
) -> tuple[str, tuple[bool, str]]:
    def cell(name: str) -> object:
        index = columns[name]
        return row[index] if index < len(row) else None

    line_id = _text(cell("明细编号"))
    where = _("第%(n)d行（明细 %(id)s）") % {"n": n, "id": line_id}
    if not line_id:
        raise DomainError(_("第%(n)d行：缺少明细编号。") % {"n": n})
    if line_id not in amounts:
        raise DomainError(_("%(where)s：该明细不属于本批次。") % {"where": where})
    if line_id in seen:
        raise DomainError(_("%(where)s：明细重复出现。") % {"where": where})
    fen = cell_fen(cell("金额"))
    if fen != amounts[line_id]:
        raise DomainError(
            _("%(where)s：金额“%(got)s”与本批次的 %(want)s 元不符。")
            % {"where": where, "got": _text(cell("金额")), "want": fen_to_yuan(amounts[line_id])}
        )
    outcome, reason = _text(cell("处理结果")), _text(cell("失败原因"))
    if outcome not in (SUCCESS, FAILURE):
        raise DomainError(
            _("%(where)s：处理结果应为“成功”或“失败”，而不是“%(got)s”。")
            % {"where": where, "got": outcome}
        )
    if outcome == FAILURE and not reason:
        raise DomainError(_("%(where)s：处理结果为失败时须填写失败原因。") % {"where": where})
    return line_id, (outcome == SUCCESS, reason if outcome == FAILURE else "")


def _check_complete(run: PayrollRun, amounts: dict[str, int], results: dict) -> None:
    missing = sorted(set(amounts) - set(results))
    if missing:
        shown = "、".join(missing[:_MISSING_SHOWN])
        more = _("等 %(n)d 笔") % {"n": len(missing)} if len(missing) > _MISSING_SHOWN else ""
        raise DomainError(
            _("回盘文件缺少本批次的明细 %(ids)s%(more)s。") % {"ids": shown, "more": more}
        )


def _check_summary(run: PayrollRun, summary: Summary) -> None:
    if summary.count is None or summary.total_fen is None:
        raise DomainError(_("%(where)s：无法读取笔数或合计金额。") % {"where": summary.where})
    if (summary.count, summary.total_fen) != (run.line_count, run.total_fen):
        raise DomainError(
            _("%(where)s：笔数 %(n)d、合计金额 %(got)s 元与本批次的 %(m)d 笔、%(want)s 元不符。")
            % {
                "where": summary.where,
                "n": summary.count,
                "got": fen_to_yuan(summary.total_fen),
                "m": run.line_count,
                "want": fen_to_yuan(run.total_fen),
            }
        )


def reconcile_run(*, by: User, run: PayrollRun, data: bytes) -> PayrollRun:
    """Apply a bank return file to an exported run: the run becomes reconciled; failed lines
    keep their reason and are paid again by the next run (or a supplementary run)."""
    require(by, "benefits.manage")  # before the run's lines are read and compared
    if run.status != RunStatus.EXPORTED:
        # Checked before reading the file only to spare the work; the service checks again.
        raise InvalidTransition(_("只有已导出的批次可以对账。"))
    results = read_results(run=run, data=data)
    return services.run_apply_results(by=by, run=run, results=results)
