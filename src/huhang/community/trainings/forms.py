"""Forms of the training pages; choices come from core.scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.community.forms import attendee_field, limit_choices, staff_choices
from huhang.core import scope
from huhang.core.forms import DateInput, Form
from huhang.regions.models import Division, Level


class AttendanceForm(Form):
    attendees = attendee_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "attendees", staff_choices(user))


class TrainingForm(Form):
    topic = forms.CharField(label=_("培训主题"), max_length=100)
    held_on = forms.DateField(label=_("培训日期"), widget=DateInput)
    trainer = forms.CharField(label=_("授课人"), max_length=100)
    hours = forms.DecimalField(
        label=_("学时"), min_value=Decimal("0.5"), max_value=200, decimal_places=1
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    division = forms.ModelChoiceField(label=_("组织区划"), queryset=Division.objects.none())
    attendees = attendee_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Trainings are organised by a street or above, never by a community.
        organisers = scope.visible(user, Division).filter(level__lte=Level.STREET)
        limit_choices(self, "division", organisers)
        limit_choices(self, "attendees", staff_choices(user))
