"""Forms of the workstation pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.community.forms import UserChoices, limit_choices, staff_choices
from huhang.community.models import StationLevel
from huhang.core import scope
from huhang.core.forms import Form
from huhang.regions.models import Division


class StationForm(Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    level = forms.ChoiceField(label=_("层级"), choices=StationLevel.choices)
    division = forms.ModelChoiceField(label=_("所在区划"), queryset=Division.objects.none())
    address = forms.CharField(label=_("地址"), max_length=200)
    brand = forms.CharField(label=_("品牌（一站一品）"), max_length=60, required=False)
    brand_story = forms.CharField(label=_("品牌介绍"), widget=forms.Textarea, required=False)
    opening_hours = forms.CharField(label=_("开放时间"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    rooms = forms.CharField(label=_("功能室与设施"), widget=forms.Textarea, required=False)
    volunteers = forms.CharField(
        label=_("志愿者（每行一人）"), widget=forms.Textarea, required=False
    )
    staff = UserChoices(label=_("工作人员"), queryset=None, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "division", scope.visible(user, Division))
        limit_choices(self, "staff", staff_choices(user))
