"""The form that starts a screening from the screening page."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import DateInput, Form
from huhang.screening.models import Engine


class RunStartForm(Form):
    as_of = forms.DateField(
        label=_("排查基准日"),
        widget=DateInput(),
        help_text=_("按这一天判断年龄、期限与各项情形（默认今天）"),
    )
    engine = forms.ChoiceField(
        label=_("引擎"),
        choices=Engine.choices,
        initial=Engine.DUCKDB,
        help_text=_("DuckDB 内嵌于本机，适合一个区；Spark 用于全省或全国的数据量"),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("as_of", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("排查基准日不能晚于今天。"))
        return day
