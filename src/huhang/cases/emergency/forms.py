"""Forms of emergency protection (临时监护). They check shape; the services decide (a moment in
the future, a resolution before the taking-in, a second open protection are refused there)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.cases.models import Art92, Outcome, Party, Placement
from huhang.core.forms import Form


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is local time (Asia/Shanghai)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _moment_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"#{obj.pk} · {obj.opened_at:%Y-%m-%d} · {obj.get_status_display()}"


class EmergencyOpenForm(Form):
    situation = forms.ChoiceField(
        label=_("情形（《未成年人保护法》第九十二条）"),
        choices=Art92.choices,
        widget=forms.RadioSelect,
    )
    taken_in_at = _moment_field(_("接收时间"))
    placement = forms.ChoiceField(
        label=_("安置方式（第九十三条）"), choices=Placement.choices, widget=forms.RadioSelect
    )
    placement_detail = forms.CharField(
        label=_("安置地点/人员"),
        max_length=200,
        help_text=_("如：包头市未成年人救助保护中心；或亲属姓名、关系与住址"),
    )
    case = CaseChoiceField(
        label=_("关联个案"), queryset=None, required=False, empty_label=_("（不关联）")
    )

    def __init__(self, *args, cases, **kwargs):
        """`cases`: the child's cases the user may see (the only ones that can be linked)."""
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = cases


class CoordinationForm(Form):
    at = _moment_field(_("时间"))
    party = forms.ChoiceField(label=_("协调单位"), choices=Party.choices)
    note = forms.CharField(
        label=_("内容"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：向检察院通报情况，检察院同意支持起诉撤销监护人资格"),
    )


class ResolveForm(Form):
    outcome = forms.ChoiceField(
        label=_("处置结果"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    outcome_detail = forms.CharField(
        label=_("结果说明"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：法院判决指定祖母为监护人（判决书文号）"),
    )
    resolved_at = _moment_field(_("解除时间"))
