"""The choices of the half-year report: a division of the user's scope, a half-year."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.reports.forms import DashboardForm
from huhang.reports.periods import HalfYear

FIRST_YEAR = 2016  # 国发〔2016〕36号: the work this software supports starts here


def half_year_choices(today: date) -> list[tuple[str, str]]:
    """Half-years from FIRST_YEAR to the current one, newest first."""
    current = HalfYear.containing(today)
    out, period = [], current
    while period.year >= FIRST_YEAR:
        out.append((period.key, period.label))
        period = period.previous()
    return out


class ReportForm(DashboardForm):
    period = forms.ChoiceField(label=_("半年度"))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["period"]).choices = half_year_choices(today)
        self.order_fields(["period", "division"])

    def clean_period(self) -> HalfYear:
        return HalfYear.parse(self.cleaned_data["period"])
