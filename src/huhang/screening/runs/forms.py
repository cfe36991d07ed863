"""The form that starts a screening from the screening page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.screening.feeds.forms import AsOfForm, as_of_field
from huhang.screening.models import Engine


class RunStartForm(AsOfForm):
    too_late = _("排查基准日不能晚于今天。")

    as_of = as_of_field(_("排查基准日"), _("按这一天判断年龄、期限与各项情形（默认今天）"))
    engine = forms.ChoiceField(
        label=_("计算方式"),
        choices=[
            (Engine.DUCKDB, _("本机计算（DuckDB）")),
            (Engine.SPARK, _("集群计算（Apache Spark）")),
        ],
        initial=Engine.DUCKDB,
        help_text=_("本机计算适合一个区；集群计算用于全省或全国的数据量"),
    )
