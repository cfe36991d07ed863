"""Forms of the project pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import Form


class TargetForm(Form):
    target_activities = forms.IntegerField(label=_("目标活动场次"), min_value=0)
    target_children = forms.IntegerField(label=_("目标服务儿童数"), min_value=0)
    notes = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)
