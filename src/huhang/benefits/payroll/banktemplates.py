"""Bank file templates (代发文件模板): which columns, in which order, under which header rows, in
which format and encoding a bank takes a batch of payments. The template of a line is chosen by
the payee's bank (a template names the banks it serves), else by the run's programme
(`Programme.bank_template`), else "default". docs/files.md describes each one.

- ``default`` — Huhang's own: 明细编号 … 项目, XLSX (a 汇总 sheet) or CSV (a 合计 row).
- ``icbc`` — shaped like ICBC's corporate e-banking 批量支付 (企业财务室) upload sheet, as its
  public help pages describe it: 付款账号开户行, 付款账号, 付款账号名称, 收款账号开户行, 省份名,
  城市名, 收款账号, 收款账号名称, 金额, 汇款用途, 备注, 短信通知手机号码. XLSX; the 明细编号 goes in
  备注 so that the return file can be matched line by line.
- ``ccb`` — shaped like CCB's 代发代扣 batch file: a first line with the control figures (总笔数,
  总金额), then 序号, 账号, 户名, 金额, 跨行标识 (0 = CCB account, 1 = another bank), 行名, 行号,
  摘要. CSV in GB18030; lines are matched by 序号 (the line's sequence in the run).

These two are our reading of the banks' public help pages, not files certified by the banks: a
bureau checks a template against its own bank's current one before the first payment, and adds
or adjusts a template here (data, not code) when its bank differs.

The payer's details (the bureau's account) come from settings (`HUHANG_PAYER_*`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from huhang.core.exports import COUNT, FEN, ID, TEXT

__all__ = ["TEMPLATES", "BankTemplate", "Field", "for_line"]


@dataclass(frozen=True)
class Field:
    label: str
    value: str  # the key of a line's values (`bankfile.line_values`) or "payer_*"
    kind: str = TEXT


@dataclass(frozen=True)
class BankTemplate:
    code: str
    name: str
    formats: tuple[str, ...]  # the first is the bank's own
    encoding: str  # of CSV (core.exports.CSV_ENCODINGS)
    columns: tuple[Field, ...]
    # Which column identifies a line in the bank's return file: its label.
    key: str
    # Where the control figures go: a "汇总" sheet (XLSX) or a "合计" row after the lines (CSV),
    # or a first line before the header ("head").
    summary: str = "tail"
    # Payee banks this template is for (a payee bank's name containing one of these).
    banks: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f.label for f in self.columns)

    def serves(self, bank: str) -> bool:
        return any(word in bank for word in self.banks)


DEFAULT = BankTemplate(
    code="default",
    name="护航标准格式",
    formats=("xlsx", "csv"),
    encoding="gb18030",
    columns=(
        Field("明细编号", "line_id", ID),
        Field("收款人姓名", "payee_name"),
        Field("收款人账号", "account", ID),
        Field("开户行", "payee_bank"),
        Field("金额", "amount", FEN),
        Field("儿童姓名", "child_name"),
        Field("儿童公民身份号码", "child_id", ID),
        Field("发放月份", "month"),
        Field("项目", "programme"),
    ),
    key="明细编号",
)

ICBC = BankTemplate(
    code="icbc",
    name="工商银行 批量支付（企业财务室）",
    formats=("xlsx",),
    encoding="gb18030",
    columns=(
        Field("付款账号开户行", "payer_bank"),
        Field("付款账号", "payer_account", ID),
        Field("付款账号名称", "payer_name"),
        Field("收款账号开户行", "payee_bank"),
        Field("省份名", "payer_province"),
        Field("城市名", "payer_city"),
        Field("收款账号", "account", ID),
        Field("收款账号名称", "payee_name"),
        Field("金额", "amount", FEN),
        Field("汇款用途", "purpose"),
        Field("备注", "line_id", ID),
        Field("短信通知手机号码", "phone", ID),
    ),
    key="备注",
    summary="sheet",
    banks=("工商银行", "工行", "ICBC"),
)

CCB = BankTemplate(
    code="ccb",
    name="建设银行 代发代扣",
    formats=("csv",),
    encoding="gb18030",
    columns=(
        Field("序号", "seq", COUNT),
        Field("账号", "account", ID),
        Field("户名", "payee_name"),
        Field("金额", "amount", FEN),
        Field("跨行标识", "cross_bank", ID),
        Field("行名", "payee_bank"),
        Field("行号", "bank_code", ID),
        Field("摘要", "memo"),
    ),
    key="序号",
    summary="head",
    banks=("建设银行", "建行", "CCB"),
)

TEMPLATES: dict[str, BankTemplate] = {t.code: t for t in (DEFAULT, ICBC, CCB)}


def for_line(payee_bank: str, programme_template: str) -> BankTemplate:
    """The template of a line: the payee bank's, else the programme's, else the default."""
    for template in TEMPLATES.values():
        if template.banks and template.serves(payee_bank):
            return template
    return TEMPLATES.get(programme_template or "default", DEFAULT)


def payer() -> dict[str, str]:
    """The bureau's paying account, from settings (empty where not configured)."""
    return {
        "payer_account": settings.HUHANG_PAYER_ACCOUNT,
        "payer_name": settings.HUHANG_PAYER_NAME,
        "payer_bank": settings.HUHANG_PAYER_BANK,
        "payer_province": settings.HUHANG_PAYER_PROVINCE,
        "payer_city": settings.HUHANG_PAYER_CITY,
    }
