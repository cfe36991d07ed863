"""Forms of the leads workflow. They check shape; leads.services decides."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.core import scope
from huhang.core.forms import FilterForm, Form
from huhang.regions.models import Division, Level
from huhang.registry.forms import CommunityChoiceField, PersonFieldsMixin
from huhang.screening.leads.selectors import TODO, LeadFilter
from huhang.screening.models import LeadKind, LeadStatus


class LeadFilterForm(FilterForm):
    filter_class = LeadFilter

    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), (TODO, _("待我处理")), *LeadStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("线索类型"), required=False, choices=[("", _("全部类型")), *LeadKind.choices]
    )
    # From a screening's page: the leads it raised (kept while the other filters change).
    run = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or scans at once (each checked by the registry's document service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class _Versioned(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LeadVerifyForm(_Versioned):
    note = forms.CharField(
        label=_("核实情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("走访时间、见到的人、了解到的情况"),
    )
    documents = MultipleFileField(
        label=_("核实材料"),
        required=False,
        help_text=_("照片或扫描件（JPG、PNG、WEBP、PDF），存入儿童档案"),
    )


class LeadRegisterForm(PersonFieldsMixin, LeadVerifyForm):
    """Verification of a lead whose child has no archive yet: the archive is opened in the same
    step, from the lead's facts (prefilled; the feed's spelling may need correcting)."""

    division = CommunityChoiceField(label=_("所属社区/村"), queryset=None)
    address = forms.CharField(label=_("现住址"), max_length=200, required=False)

    field_order = ["name", "id_number", "sex", "birth_date", "division", "address", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(CommunityChoiceField, self.fields["division"])
        field.queryset = (
            scope.visible(user, Division).filter(level=Level.COMMUNITY).select_related("parent")
        )

    def register_data(self) -> dict:
        data = self.cleaned_data
        keys = ("name", "id_number", "sex", "birth_date", "division", "address")
        return {k: data[k] for k in keys if data.get(k) not in (None, "")} | {
            "id_number": data.get("id_number") or None
        }


class LeadReviewForm(_Versioned):
    note = forms.CharField(
        label=_("复核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class LeadApproveForm(_Versioned):
    note = forms.CharField(
        label=_("审批意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("可选：对核实材料和复核意见的看法"),
    )


class LeadRejectForm(_Versioned):
    reason = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：经走访核实情况不属实、信息有误、已在其他地区认定"),
    )
