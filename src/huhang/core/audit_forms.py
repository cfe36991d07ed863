from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core.forms import DateInput, Form
from huhang.core.models import AuditAction


class AuditFilterForm(Form):
    username = forms.CharField(label=_("用户"), required=False)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部操作")), *AuditAction.choices]
    )
    object_id = forms.CharField(label=_("儿童档案编号"), required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=DateInput())
    until = forms.DateField(label=_("截止日期"), required=False, widget=DateInput())

    def apply(self, events: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data["username"]:
            events = events.filter(username=data["username"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["object_id"]:
            events = events.filter(object_type="child", object_id=data["object_id"].strip())
        tz = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data["until"]:
            end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=tz)
            events = events.filter(at__lt=end)
        return events
