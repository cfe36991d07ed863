"""The choice every figure page offers: a division of the user's scope (the half-year report's
form adds the half-year, half_year/forms.py)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import Form
from huhang.regions.models import Division, Level


def division_choices(divisions: QuerySet[Division]) -> list[tuple[str, str]]:
    """Choices indented by level, in code order (a street, then its communities)."""
    rows = (
        divisions.filter(level__lte=Level.COMMUNITY)
        .order_by("code")
        .values_list("code", "name", "level")
    )
    top = min((level for _c, _n, level in rows), default=0)
    return [(code, "　" * (level - top) + name) for code, name, level in rows]


class DashboardForm(Form):
    division = forms.ChoiceField(label=_("区域"), required=False)

    def __init__(self, *args: Any, divisions: QuerySet[Division], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["division"]).choices = division_choices(divisions)
