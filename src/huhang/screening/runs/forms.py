"""The form that starts a screening from the screening page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import DateInput
from huhang.screening.feeds.forms import AsOfForm
from huhang.screening.models import Engine


class RunStartForm(AsOfForm):
    too_late = _("排查基准日不能晚于今天。")

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
