"""Forms of the payroll run's pages: create, confirm a step, reconcile, filter."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from huhang.benefits.forms import MonthField, ProgrammeChoiceField
from huhang.benefits.models import LineStatus, Programme
from huhang.core.forms import FilterForm, Form


class RunCreateForm(Form):
    programme = ProgrammeChoiceField()
    month = MonthField(label=_("发放月份"))
    supplementary = forms.BooleanField(
        label=_("补充批次（本月正常批次之后新增或退票重发的明细）"), required=False
    )


class ConfirmForm(Form):
    """A one-button step: the page explains it, the button confirms it."""


class ReconcileForm(Form):
    file = forms.FileField(
        label=_("银行回盘文件"),
        help_text=_("本批次的银行文件加上“处理结果”“失败原因”两列；XLSX 或 CSV（GB18030/UTF-8）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    confirm = forms.BooleanField(
        label=_("我已核对回盘文件属于本批次；对账后结果不能更改"), required=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.DOCUMENT_MAX_BYTES * 5:
            raise forms.ValidationError(_("文件过大。"))
        return upload


class RunFilterForm(FilterForm):
    programme = forms.ChoiceField(label=_("保障项目"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["programme"]).choices = [("", _("全部项目"))] + [
            (p.code, p.name) for p in Programme.objects.all()
        ]


class LineFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *LineStatus.choices]
    )
