"""The 按时足额 page's filter: a month and a street of the user's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.benefits.forms import MonthField
from huhang.core.forms import Form
from huhang.regions.models import Division


class DashboardForm(Form):
    month = MonthField(label=_("月份"), required=False, help_text="")
    street = forms.ChoiceField(label=_("街道/乡镇"), required=False)

    def __init__(self, *args: Any, streets: Iterable[Division], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["street"]).choices = [("", _("全部街道/乡镇"))] + [
            (d.code, d.name) for d in streets
        ]
