"""Forms of the guarantee funds' standing data, and the fields every benefits form shares (a
month, an amount in yuan, a programme). They check shape and give field-level messages; the
services decide.

Money is typed in yuan and parsed exactly with Decimal into integer fen: never a float, never a
rounded amount (a third decimal is refused, not rounded).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.benefits.models import Programme
from huhang.core.forms import DateInput, FilterForm, Form, validate_person_name

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
# The month calendar that payroll computation joins covers these years (migration 0002).
FIRST_YEAR, LAST_YEAR = 2000, 2099
# A standard above this is a typing error (an extra zero), not a policy.
MAX_AMOUNT_FEN = 100_000_000  # 1,000,000.00 yuan

# --- Fields ---------------------------------------------------------------------------------------


class MonthInput(forms.TextInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.Field):
    """A month typed as YYYY-MM (browsers' month picker sends exactly that); the value is the
    month's first day."""

    widget = MonthInput

    default_error_messages = {
        "invalid": _("请按“年-月”填写月份，如 2026-03。"),
        "range": _("月份须在 2000-01 至 2099-12 之间。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("格式：YYYY-MM，如 2026-03"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "2026-03")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        match = _MONTH.match(str(value))
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return date(year, month, 1)


def parse_yuan(text: str) -> int:
    """ "1300.50" -> 130050 fen, exactly. Raises ValidationError with the reason."""
    raw = (text or "").strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not _AMOUNT.match(raw):
        raise forms.ValidationError(_("请填写金额（元），如 1300 或 1300.50。"), code="invalid")
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refuses these
        raise forms.ValidationError(_("金额无法识别。"), code="invalid") from exc
    if amount != amount.quantize(Decimal("0.01")):
        raise forms.ValidationError(_("金额最多保留两位小数（分）。"), code="precision")
    if amount <= 0:
        raise forms.ValidationError(_("金额必须大于零。"), code="positive")
    fen = int(amount * 100)
    if fen > MAX_AMOUNT_FEN:
        raise forms.ValidationError(_("金额过大，请核对（单位为元）。"), code="max")
    return fen


class YuanField(forms.CharField):
    """An amount in yuan; cleaned to integer fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        text = super().clean(value)
        return parse_yuan(text) if text else None


class AccountInput(forms.TextInput):
    """A bank account is typed, never shown back: after an error it must be typed again, so the
    page never carries it in full."""

    def format_value(self, value):
        return None


class ProgrammeChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Programme.objects.all())
        kwargs.setdefault("label", _("保障项目"))
        kwargs.setdefault("empty_label", None)
        super().__init__(**kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_frequency_display()}）"


# --- Standards, payees, entitlements --------------------------------------------------------------


class StandardForm(Form):
    programme = ProgrammeChoiceField()
    effective_from = MonthField(label=_("生效月份"))
    amount = YuanField(label=_("金额（元）"), help_text=_("按月项目为每月金额，助学为每学年金额"))
    note = forms.CharField(
        label=_("依据/说明"),
        max_length=200,
        required=False,
        help_text=_("如：内民政发〔2026〕3号"),
    )
    # Set by the confirmation step of a back-dated change: the values it was shown for.
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)


class PayeeForm(Form):
    name = forms.CharField(label=_("收款人姓名"), max_length=64, validators=[validate_person_name])
    relation = forms.CharField(
        label=_("与儿童关系"), max_length=32, help_text=_("如：母亲、祖父、儿童福利院")
    )
    bank = forms.CharField(
        label=_("开户行"), max_length=100, help_text=_("如：中国工商银行包头分行")
    )
    account = forms.CharField(
        label=_("银行账号"),
        max_length=40,
        help_text=_("8到30位数字；保存后只显示末4位"),
        widget=AccountInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    valid_from = forms.DateField(label=_("启用日期"), widget=DateInput())


class SuspendForm(Form):
    from_month = MonthField(label=_("停发起始月份"))
    reason = forms.CharField(label=_("停发原因"), max_length=200)


class ResumeForm(Form):
    from_month = MonthField(
        label=_("恢复发放月份"), help_text=_("从该月起恢复发放；停发期间的月份不补发")
    )
    reason = forms.CharField(label=_("恢复原因"), max_length=200)


class EntitlementFilterForm(FilterForm):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            ("active", _("正常发放")),
            ("suspended", _("停发中")),
            ("ended", _("已截止")),
        ],
    )
