"""Forms of the activity pages; choices come from core.scope, never from whole tables."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.accounts.models import Organisation
from huhang.cases.models import ServiceProject
from huhang.community.activities.selectors import ActivityFilter
from huhang.community.forms import age_field, categories_field, check_age_band, limit_choices
from huhang.community.models import ActivityKind, Workstation
from huhang.core import scope
from huhang.core.forms import DateInput, FilterForm, Form
from huhang.core.roles import Role
from huhang.registry.models import Child


class ActivityFilterForm(FilterForm):
    filter_class = ActivityFilter

    kind = forms.ChoiceField(
        label=_("活动类型"), choices=[("", _("全部")), *ActivityKind.choices], required=False
    )
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100, required=False)


class ActivityForm(Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    station = forms.ModelChoiceField(label=_("工作站"), queryset=Workstation.objects.none())
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput)
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput, required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    min_age = age_field(_("最小年龄"))
    max_age = age_field(_("最大年龄"))
    categories = categories_field()
    partners = forms.ModelMultipleChoiceField(
        label=_("合作机构"), queryset=Organisation.objects.none(), required=False
    )
    project = forms.ModelChoiceField(
        label=_("购买服务项目"), queryset=ServiceProject.objects.none(), required=False
    )
    summary = forms.CharField(label=_("活动简介"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "station", scope.visible(user, Workstation, "host").order_by("name"))
        partners = Organisation.objects.filter(partner_profile__isnull=False)
        limit_choices(self, "partners", partners.order_by("name"))
        limit_choices(self, "project", scope.visible(user, ServiceProject).order_by("name"))
        if user.role == Role.PARTNER:
            del self.fields["project"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_age_band(self, data)
        start, end = data.get("held_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("结束日期不能早于活动日期。"))
        return data


class ChildByNumber(forms.ModelChoiceField):
    """A child among those the user may see, picked from a search by name or pinyin (the page
    posts its record's key; nobody types an internal number): a key outside the user's scope
    reads exactly like one that does not exist."""

    widget = forms.HiddenInput
    default_error_messages = {"invalid_choice": _("找不到该儿童档案。")}


class EnrolForm(Form):
    child = ChildByNumber(label=_("儿童"), queryset=Child.objects.none())
    reason = forms.CharField(
        label=_("破格报名理由（不符合条件时必填）"), max_length=200, required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        children = scope.visible(user, Child).select_related("person", "division")
        limit_choices(self, "child", children)


class SummaryForm(Form):
    summary = forms.CharField(label=_("活动总结"), widget=forms.Textarea)


class PhotoForm(Form):
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)
    file = forms.FileField(label=_("照片（JPG、PNG、WEBP）"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["upload"] = data.pop("file", None)
        return data
