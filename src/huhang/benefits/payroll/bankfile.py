"""Bank files (银行代发文件) for a payroll run, and reconciliation from the bank's return file
(回盘文件). docs/files.md describes every format.

The bank file
-------------
A bank file follows a template (`banktemplates`): its columns, their order, the format and the
encoding. The default template has one row per payroll line, under a header row with exactly
these columns, in this order::

    明细编号 收款人姓名 收款人账号 开户行 金额 儿童姓名 儿童公民身份号码 发放月份 项目

- 明细编号 is the line id (`PayrollLine.line_id`, ``NNNNNN-NNNNNNN``: run and sequence), unique
  across all runs.
- 收款人账号 is the payee's account in full. This file is the only place it is decrypted; everywhere
  else it is masked (core.masking).
- 金额 is yuan with exactly two decimals, from integer fen, never via float arithmetic: in XLSX a
  number cell with the format ``#,##0.00`` (a clerk's ``=SUM()`` adds it up), in CSV ``1300.00``.
- 发放月份 is the month the line pays for (YYYY-MM): a 补发 line pays an earlier month than the
  run's. 项目 is the programme's name.
- Account, ID and line numbers are text (in XLSX string cells), so that they keep all their
  digits; no text is ever written as a formula (core.exports).

The control total and the line count are written where no reader can take them for a line, and
never in the amount column:

- **XLSX**: the lines are on the first sheet, "发放明细" (frozen header, A4 landscape, one page
  wide); a second sheet, "汇总", has a header row ``批次 项目 发放月份 笔数 合计金额`` and one
  row of values (笔数 and 合计金额 numbers).
- **CSV** (GB18030 by default, or UTF-8 with a byte-order mark): after the last line comes one
  summary row whose first cell is "合计", followed by label/value pairs placed so that no value
  falls in the 金额 column::

      合计,笔数,2,,合计金额,2600.00,,,

  A template may put the figures on a first line instead (``总笔数,2,总金额,2600.00``).

A run whose payees are at several banks may be exported split by bank (`export_split`): a ZIP
with one file per template, each with the control figures of its own lines.

The return file
---------------
The bank's return file is a bank file with two more columns, 处理结果 ("成功" or "失败") and
失败原因 (required when 失败) — or a ZIP of such files, one per bank file of a split export.
Columns are found by their header names, so the bank may put the two new columns anywhere; the
template is recognised by its columns; the summary (汇总 sheet, 合计 row or first line) must
still be there and agree with the lines of its file. CSV return files may be UTF-8 (with or
without BOM) or GB18030: UTF-8 is tried strictly first, then GB18030; a file that is neither is
refused. XLSX (or XLS) files are read with calamine, after core.spreadsheet has checked what
they claim (size, zip members, at most the run's lines and a few more rows).

Reconciliation checks the whole file before changing anything — columns, every line known and
present exactly once, every amount equal to the run's, the control total and count, the results —
and refuses at the first problem with a one-line message (DomainError). Only then does
`payroll.services.run_apply_results` write the bank's results, in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any

import python_calamine
from django.conf import settings
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from huhang.benefits.models import PayrollLine, PayrollRun, RunStatus
from huhang.benefits.payroll import selectors, services
from huhang.benefits.payroll.banktemplates import TEMPLATES, BankTemplate, for_line, payer
from huhang.core import crypto, exports, spreadsheet
from huhang.core.access import require
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.money import fen_to_yuan, yuan_to_fen

if TYPE_CHECKING:
    from huhang.accounts.models import User

DEFAULT = TEMPLATES["default"]
COLUMNS = DEFAULT.labels
RESULT_COLUMNS = ("处理结果", "失败原因")
SUCCESS, FAILURE = "成功", "失败"

LINES_SHEET = "发放明细"
SUMMARY_SHEET = "汇总"
SUMMARY_COLUMNS = ("批次", "项目", "发放月份", "笔数", "合计金额")
SUMMARY_MARK = "合计"
COUNT_LABEL = "笔数"
TOTAL_LABEL = "合计金额"
# The figures on a first line, before the header (the "head" templates).
HEAD_COUNT_LABEL = "总笔数"
HEAD_TOTAL_LABEL = "总金额"

FORMATS = ("xlsx", "csv")
# The encodings offered for CSV, as core.exports names them: UTF-8 carries the BOM Excel needs.
ENCODINGS = {"gb18030": "gb18030", "utf-8": "utf-8-bom"}

# A worksheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_LINES = 1_048_575
_XLSX_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx), OLE (xls)
_MISSING_SHOWN = 3
_RETURN_SLACK_ROWS = 10  # header, summary and blank rows a return file may add to its lines
_MAX_RETURN_FILES = 20  # files in a ZIP of return files


# --- Money ----------------------------------------------------------------------------------------


def cell_fen(value: object) -> int | None:
    """An amount cell as fen: text as written by us, or a number (a float read back from XLSX
    goes through its shortest repr)."""
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
        return yuan_to_fen(str(value).replace(",", ""))
    except ValueError:
        return None


def _line_id(run_id: int, seq: int) -> str:
    # The same format as PayrollLine.line_id, without building a model per line.
    return f"{run_id:06d}-{seq:07d}"


# --- Export ---------------------------------------------------------------------------------------


# What a file name may not carry on Windows, macOS or a bank's upload form.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def filename(run: PayrollRun, fmt: str, template: str = "default") -> str:
    """银行代发_孤儿基本生活费（社会散居）_2026-03_000012.csv: named by the programme's name,
    which the officers and the bank know, not by its internal code."""
    kind = "补充" if run.supplementary else "代发"
    suffix = "" if template == "default" else f"_{template}"
    programme = _UNSAFE_IN_NAME.sub("", run.programme.name) or run.programme_id
    return f"银行{kind}_{programme}_{run.month:%Y-%m}_{run.pk:06d}{suffix}.{fmt}"


def export_run(
    *,
    by: User,
    run: PayrollRun,
    fmt: str,
    out: IO[bytes],
    encoding: str = "gb18030",
    template: str = "default",
) -> PayrollRun:
    """Write the run's bank file (every line, in `template`) to `out` (a binary file) and mark
    the run exported (approved → exported, audited; exporting an exported run again writes the
    same lines).

    The run's total must equal the sum of its lines before anything is written, and the lines
    written must add up to it too; otherwise DomainError. The file holds full account and ID
    numbers: the caller keeps it where only the bureau can read it."""
    require(by, "benefits.manage")  # before anything is read: the file holds full accounts
    chosen = _template(template, fmt)
    if fmt == "csv" and encoding not in ENCODINGS:
        raise DomainError(_("CSV 编码应为 gb18030 或 utf-8。"))
    _check_exportable(run, fmt)
    label = f"{fmt}/{template}" if fmt == "xlsx" else f"csv/{encoding}/{template}"
    # Marked first: if writing fails afterwards, exporting again is allowed and writes the same
    # frozen lines; marking after writing could leave a file out there for a run not exported.
    run = services.run_mark_exported(by=by, run=run, fmt=label.removesuffix("/default"))
    count, total = _write(run, chosen, fmt, ENCODINGS.get(encoding, "gb18030"), out, None)
    if (count, total) != (run.line_count, run.total_fen):
        raise DomainError(_("写出的明细合计与批次总金额不符，银行文件作废。"))
    return run


def export_split(*, by: User, run: PayrollRun, out: IO[bytes]) -> PayrollRun:
    """The run's bank files split by the payees' banks: a ZIP with one file per template (each
    line in its payee bank's template, else the programme's), each with its own control
    figures; the run is marked exported as `export_run` does."""
    require(by, "benefits.manage")
    _check_exportable(run, "csv")
    groups = _groups(run)
    run = services.run_mark_exported(by=by, run=run, fmt="split")
    count = total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for code in groups:
            chosen = TEMPLATES[code]
            fmt = chosen.formats[0]
            with archive.open(filename(run, fmt, code), "w", force_zip64=True) as member:
                n, fen = _write(run, chosen, fmt, chosen.encoding, member, code)
            count, total = count + n, total + fen
    if (count, total) != (run.line_count, run.total_fen):
        raise DomainError(_("写出的明细合计与批次总金额不符，银行文件作废。"))
    return run


def split_groups(run: PayrollRun) -> dict[str, tuple[int, int]]:
    """Template code → (lines, fen) of the files a split export writes (for its page)."""
    return _groups(run)


def export_bytes(
    *, by: User, run: PayrollRun, fmt: str, encoding: str = "gb18030", template: str = "default"
) -> bytes:
    buffer = io.BytesIO()
    export_run(by=by, run=run, fmt=fmt, out=buffer, encoding=encoding, template=template)
    return buffer.getvalue()


def _template(code: str, fmt: str) -> BankTemplate:
    chosen = TEMPLATES.get(code)
    if chosen is None:
        raise DomainError(_("没有名为“%(t)s”的银行文件模板。") % {"t": code})
    if fmt not in FORMATS or fmt not in chosen.formats:
        raise DomainError(
            _("模板“%(t)s”的文件格式应为 %(f)s。")
            % {"t": chosen.name, "f": "、".join(chosen.formats)}
        )
    return chosen


def _check_exportable(run: PayrollRun, fmt: str) -> None:
    if not selectors.run_totals_agree(run):
        raise DomainError(_("批次总金额或笔数与明细合计不符，不能导出。"))
    if fmt == "xlsx" and run.line_count > XLSX_MAX_LINES:
        raise DomainError(
            _("本批次有 %(n)d 笔，超过 Excel 单个工作表的上限 %(max)d 笔，请导出 CSV。")
            % {"n": run.line_count, "max": XLSX_MAX_LINES}
        )


def _groups(run: PayrollRun) -> dict[str, tuple[int, int]]:
    """Lines and fen of each template the run's lines fall into, by payee bank."""
    groups: dict[str, tuple[int, int]] = {}
    rows = (
        PayrollLine.objects.filter(run=run)
        .order_by()
        .values_list("payee_bank")
        .annotate(n=Count("pk"), fen=Sum("amount_fen"))
    )
    for bank, n, fen in rows:
        code = for_line(bank, run.programme.bank_template).code
        before = groups.get(code, (0, 0))
        groups[code] = (before[0] + n, before[1] + (fen or 0))
    return dict(sorted(groups.items()))


_Raw = tuple[int, str, str, str, int, str, str | None, Any]  # a line as the query reads it


def _lines(run: PayrollRun, only: str | None) -> Iterator[_Raw]:
    """The run's lines (seq, payee, account cipher, bank, fen, child, ID number, month),
    streamed in 明细编号 order; with `only`, just those whose payee bank falls to that
    template."""
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
    served: dict[str, bool] = {}
    for line in lines.iterator(chunk_size=5000):
        if only is not None:
            bank = line[3]
            if bank not in served:
                served[bank] = for_line(bank, run.programme.bank_template).code == only
            if not served[bank]:
                continue
        yield line


def _row_builder(run: PayrollRun, template: BankTemplate) -> Callable[[_Raw], list[Any]]:
    """A function from a line to the template's row. What does not vary by line is worked out
    once: a million lines are a million calls."""
    # Lines are ordered by child, then month: one payee's lines are adjacent, so a small cache
    # decrypts each account once without keeping every plaintext account in memory.
    decrypt = lru_cache(maxsize=256)(crypto.decrypt)
    month_text = lru_cache(maxsize=64)(lambda month: f"{month:%Y-%m}")
    ccb = TEMPLATES["ccb"]
    cross = lru_cache(maxsize=256)(lambda bank: "0" if ccb.serves(bank) else "1")
    programme = run.programme.name
    constants: dict[str, Any] = {
        **payer(),
        "programme": programme,
        "purpose": _("生活费"),
        "bank_code": "",
        "phone": "",
    }
    getters: dict[str, Callable[[_Raw], Any]] = {
        "line_id": lambda r: _line_id(run.pk, r[0]),
        "seq": lambda r: r[0],
        "payee_name": lambda r: r[1],
        "account": lambda r: decrypt(r[2]),
        "payee_bank": lambda r: r[3],
        "amount": lambda r: r[4],
        "child_name": lambda r: r[5],
        "child_id": lambda r: r[6] or "",
        "month": lambda r: month_text(r[7]),
        "memo": lambda r: f"{programme} {month_text(r[7])}"[:20],
        "cross_bank": lambda r: cross(r[3]),
    }
    parts = [
        getters[f.value] if f.value in getters else (lambda _r, v=constants[f.value]: v)
        for f in template.columns
    ]
    return lambda line: [get(line) for get in parts]


class _Tally:
    """Counts lines and adds their fen while they stream into a writer."""

    def __init__(self, run: PayrollRun, template: BankTemplate, lines: Iterator[_Raw]) -> None:
        self.row, self.lines = _row_builder(run, template), lines
        self.count = self.total = 0

    def __iter__(self) -> Iterator[list[Any]]:
        row = self.row
        for line in self.lines:
            self.count += 1
            self.total += line[4]
            yield row(line)


def _write(
    run: PayrollRun,
    template: BankTemplate,
    fmt: str,
    encoding: str,
    out: IO[bytes],
    only: str | None,
) -> tuple[int, int]:
    tally = _Tally(run, template, _lines(run, only))
    columns = [exports.Column(f.label, f.kind) for f in template.columns]
    if fmt == "xlsx":
        exports.write_xlsx(out, _sheets(run, columns, tally), constant_memory=True)
    else:
        preamble = None
        if template.summary == "head":
            # The figures come first: counted in the database, then checked against the lines.
            n, fen = (
                _groups(run).get(only, (run.line_count, run.total_fen))
                if only
                else (
                    run.line_count,
                    run.total_fen,
                )
            )
            preamble = [HEAD_COUNT_LABEL, str(n), HEAD_TOTAL_LABEL, fen_to_yuan(fen)]
        trailer = None if preamble else (lambda: _csv_summary(columns, tally.count, tally.total))
        exports.write_csv(
            out, columns, tally, encoding=encoding, preamble=preamble, trailer=trailer
        )
        if preamble and (tally.count, tally.total) != (int(preamble[1]), yuan_to_fen(preamble[3])):
            raise DomainError(_("写出的明细合计与批次总金额不符，银行文件作废。"))
    return tally.count, tally.total


def _sheets(run: PayrollRun, columns: list[exports.Column], tally: _Tally):
    title = _("银行代发明细 · 批次 %(run)06d · %(programme)s") % {
        "run": run.pk,
        "programme": run.programme.name,
    }
    period = _("发放月份 %(month)s") % {"month": f"{run.month:%Y-%m}"}
    yield exports.Sheet(
        LINES_SHEET, columns, tally, title=title, title_row=False, period=period, landscape=True
    )
    yield exports.Sheet(
        SUMMARY_SHEET,
        [
            exports.Column(SUMMARY_COLUMNS[0], exports.ID),
            exports.Column(SUMMARY_COLUMNS[1]),
            exports.Column(SUMMARY_COLUMNS[2]),
            exports.Column(SUMMARY_COLUMNS[3], exports.COUNT),
            exports.Column(SUMMARY_COLUMNS[4], exports.FEN),
        ],
        [[f"{run.pk:06d}", run.programme.name, f"{run.month:%Y-%m}", tally.count, tally.total]],
        title=title,
        period=period,
    )


def _csv_summary(columns: list[exports.Column], count: int, total: int) -> list[str]:
    """The CSV 合计 row: the mark, then each label followed by its value, every value in a
    column that holds no numbers (a column sum never meets a control figure)."""
    row = [SUMMARY_MARK]
    for label, value in ((COUNT_LABEL, str(count)), (TOTAL_LABEL, fen_to_yuan(total))):
        while len(row) + 1 < len(columns) and columns[len(row) + 1].kind in exports.NUMERIC_KINDS:
            row.append("")
        row += [label, value]
    return row + [""] * (len(columns) - len(row))


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


def read(data: bytes, max_rows: int | None = None) -> BankFile:
    """Read a bank or return file (XLSX/XLS or CSV, format detected from the content), after
    core.spreadsheet has checked what it claims (at most `max_rows` rows). Refuses, with
    DomainError, what cannot be read; checks nothing about any run, nor that the summary is
    there (`read_results` does)."""
    spreadsheet.check_size(len(data), settings.HUHANG_RETURN_FILE_MAX_BYTES)
    if data.startswith(_XLSX_MAGIC[0]):
        spreadsheet.check_xlsx(data, max_rows=max_rows)
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    spreadsheet.check_csv_rows(data, max_rows=max_rows)
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


_KEYS = {t.key for t in TEMPLATES.values()}


def _split(table: Sequence[Sequence[object]], *, fmt: str) -> BankFile:
    """A first line of control figures (some templates), the header (the first row that names
    a template's key column), the data rows and a trailing 合计 row (in either format)."""
    numbered = [(n, row) for n, row in enumerate(table, start=1) if not _blank(row)]
    if not numbered:
        raise DomainError(_("文件是空的。"))
    head: list[Summary] = []
    at = 0
    while at < min(len(numbered) - 1, 3) and not _KEYS & {_text(c) for c in numbered[at][1]}:
        n, row = numbered[at]
        cells = [_text(c) for c in row]
        if HEAD_COUNT_LABEL not in cells:
            break
        head.append(_summary_row(n, row, HEAD_COUNT_LABEL, HEAD_TOTAL_LABEL))
        at += 1
    header = [_text(cell).lstrip("\ufeff") for cell in numbered[at][1]]
    bank = BankFile(fmt=fmt, header=header, summaries=head)
    # The summary row starts with 合计; if the bank moved the columns, it may have moved that
    # cell into the 明细编号 column with the rest.
    marks = {0} | {header.index(key) for key in _KEYS if key in header}
    tail = False
    for n, row in numbered[at + 1 :]:
        if tail:
            raise DomainError(_("第%(n)d行：“合计”行之后不应再有内容。") % {"n": n})
        if any(i < len(row) and _text(row[i]) == SUMMARY_MARK for i in marks):
            bank.summaries.append(_summary_row(n, row, COUNT_LABEL, TOTAL_LABEL))
            tail = True
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


def _summary_row(n: int, row: Sequence[object], count_label: str, total_label: str) -> Summary:
    return Summary(
        where=_("第%(n)d行（合计行）") % {"n": n},
        count=_count(_after(row, count_label)),
        total_fen=cell_fen(_after(row, total_label)),
    )


def _summary_sheet(table: Sequence[Sequence[object]]) -> Summary:
    rows = [[_text(cell) for cell in row] for row in table if not _blank(row)]
    where = _("“汇总”工作表")
    at = next((i for i, row in enumerate(rows) if COUNT_LABEL in row), None)
    if at is None or at + 1 >= len(rows):
        return Summary(where=where, count=None, total_fen=None)
    header = rows[at]
    values = [row for row in table if not _blank(row)][at + 1]

    def value(label: str) -> object:
        if label not in header or header.index(label) >= len(values):
            return None
        return values[header.index(label)]

    return Summary(
        where=where, count=_count(value(COUNT_LABEL)), total_fen=cell_fen(value(TOTAL_LABEL))
    )


# --- Reconciliation -------------------------------------------------------------------------------


def _recognise(header: list[str]) -> BankTemplate:
    """The template whose every column is in the header (the bank may add or move columns)."""
    for template in sorted(TEMPLATES.values(), key=lambda t: -len(t.columns)):
        if all(label in header for label in template.labels):
            return template
    missing = [name for name in (*COLUMNS, *RESULT_COLUMNS) if name not in header]
    raise DomainError(
        _(
            "回盘文件缺少列：%(cols)s（请确认是本批次的银行文件加上处理结果，编码为 GB18030 或 UTF-8）。"
        )
        % {"cols": "、".join(missing)}
    )


def _files(data: bytes) -> list[bytes]:
    """A return file, or each file of a ZIP of return files (a split export's)."""
    if not data.startswith(_XLSX_MAGIC[0]):
        return [data]
    spreadsheet.check_size(len(data), settings.HUHANG_RETURN_FILE_MAX_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "[Content_Types].xml" in archive.namelist():
                return [data]  # an XLSX
            members = spreadsheet.check_zip(archive, max_members=_MAX_RETURN_FILES)
            return [archive.read(m) for m in members if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        raise DomainError(_("无法读取压缩文件：文件已损坏。")) from exc


def read_results(*, run: PayrollRun, data: bytes) -> dict[str, tuple[bool, str]]:
    """Check a return file (or a ZIP of them) against the run, completely, and return the
    bank's result per line (明细编号 → (success, reason)). Raises DomainError at the first
    problem; changes nothing."""
    expected = dict(
        PayrollLine.objects.filter(run=run)
        .values_list("seq", "amount_fen")
        .iterator(chunk_size=5000)
    )
    amounts = {_line_id(run.pk, seq): fen for seq, fen in expected.items()}
    results: dict[str, tuple[bool, str]] = {}
    checks = [_read_one(run, content, amounts, results) for content in _files(data)]
    _check_complete(run, amounts, results)
    for summaries, count, total in checks:
        for summary in summaries:
            _check_summary(summary, count, total, whole=count == run.line_count)
    return results


def _read_one(
    run: PayrollRun,
    data: bytes,
    amounts: dict[str, int],
    results: dict[str, tuple[bool, str]],
) -> tuple[list[Summary], int, int]:
    """Check one file's lines into `results`; its summaries and its lines' count and total."""
    try:
        bank = read(data, max_rows=run.line_count + _RETURN_SLACK_ROWS)
    except spreadsheet.SheetRefused as exc:
        raise DomainError(exc.message) from exc
    template = _recognise(bank.header)
    missing = [name for name in RESULT_COLUMNS if name not in bank.header]
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
    names = (template.key, "金额", *RESULT_COLUMNS)
    columns = {name: bank.header.index(name) for name in names}
    count = total = 0
    for n, row in bank.rows:
        line_id, result = _check_row(run, template, columns, n, row, amounts, results)
        results[line_id] = result
        count, total = count + 1, total + amounts[line_id]
    return bank.summaries, count, total


def _check_row(
    run: PayrollRun,
    template: BankTemplate,
    columns: dict[str, int],
    n: int,
    row: Sequence[object],
    amounts: dict[str, int],
    seen: dict[str, tuple[bool, str]],
) -> tuple[str, tuple[bool, str]]:
    def cell(name: str) -> object:
        index = columns[name]
        return row[index] if index < len(row) else None

    key = _text(cell(template.key))
    line_id = _line_id(run.pk, int(key)) if template.key == "序号" and key.isdigit() else key
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


def _check_summary(summary: Summary, count: int, total: int, whole: bool) -> None:
    """A file's control figures against its own lines (all the run's, or one bank's share)."""
    if summary.count is None or summary.total_fen is None:
        raise DomainError(_("%(where)s：无法读取笔数或合计金额。") % {"where": summary.where})
    if (summary.count, summary.total_fen) != (count, total):
        message = (
            _("%(where)s：笔数 %(n)d、合计金额 %(got)s 元与本批次的 %(m)d 笔、%(want)s 元不符。")
            if whole
            else _(
                "%(where)s：笔数 %(n)d、合计金额 %(got)s 元与本文件的 %(m)d 笔、%(want)s 元不符。"
            )
        )
        raise DomainError(
            message
            % {
                "where": summary.where,
                "n": summary.count,
                "got": fen_to_yuan(summary.total_fen),
                "m": count,
                "want": fen_to_yuan(total),
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
