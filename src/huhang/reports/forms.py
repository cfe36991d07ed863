"""The choices of the dashboard and the report: a division of the user's scope, a half-year."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import Form
from huhang.regions.models import Level
from huhang.reports.periods import HalfYear

FIRST_YEAR = 2016  # 国发〔2016〕36号: the work this software supports starts here


def division_choices(divisions) -> list[tuple[str, str]]:
    """Choices indented by level, in code order (a street, then its communities)."""
    rows = (
        divisions.filter(level__lte=Level.COMMUNITY)
        .order_by("code")
        .values_list("code", "name", "level")
    )
    top = min((level for _c, _n, level in rows), default=0)
    return [(code, "　" * (level - top) + name) for code, name, level in rows]


def half_year_choices(today: date) -> list[tuple[str, str]]:
    """Half-years from FIRST_YEAR to the current one, newest first."""
    current = HalfYear.containing(today)
    out, period = [], current
    while period.year >= FIRST_YEAR:
        out.append((period.key, period.label))
        period = period.previous()
    return out


class DashboardForm(Form):
    division = forms.ChoiceField(label=_("区域"), required=False)

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = division_choices(divisions)


class ReportForm(DashboardForm):
    period = forms.ChoiceField(label=_("半年度"))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = half_year_choices(today)
        self.order_fields(["period", "division"])

    def clean_period(self) -> HalfYear:
        return HalfYear.parse(self.cleaned_data["period"])
