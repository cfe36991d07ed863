"""Forms of the community pages; choices come from core.scope, never from whole tables."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.accounts.models import Organisation, OrganisationKind, User
from huhang.cases.models import ServiceProject
from huhang.community.models import ActivityKind, ResourceKind, StationLevel, Workstation
from huhang.core import scope
from huhang.core.forms import DateInput, Form
from huhang.core.roles import Role
from huhang.regions.models import Division
from huhang.registry.models import Category


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        where = obj.division.name if obj.division_id else ""
        return f"{obj.display_name} · {obj.role_label} {where}".strip()


def _staff_choices(user):
    """Supervisors and directors the user may put on a station or a training: its subtree's."""
    return scope.visible(user, User, "training").select_related("division").order_by("division_id")


class StationForm(Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    level = forms.ChoiceField(label=_("层级"), choices=StationLevel.choices)
    division = forms.ModelChoiceField(label=_("所在区划"), queryset=None)
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = scope.visible(user, Division)
        self.fields["staff"].queryset = _staff_choices(user)


class ActivityFilterForm(Form):
    kind = forms.ChoiceField(
        label=_("活动类型"), choices=[("", _("全部")), *ActivityKind.choices], required=False
    )
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100, required=False)


class ActivityForm(Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    station = forms.ModelChoiceField(label=_("工作站"), queryset=None)
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput)
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput, required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    min_age = forms.IntegerField(label=_("最小年龄"), min_value=0, max_value=17, required=False)
    max_age = forms.IntegerField(label=_("最大年龄"), min_value=0, max_value=17, required=False)
    categories = forms.MultipleChoiceField(
        label=_("适用类别（不选则不限）"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    partners = forms.ModelMultipleChoiceField(label=_("合作机构"), queryset=None, required=False)
    project = forms.ModelChoiceField(
        label=_("购买服务项目"), queryset=ServiceProject.objects.none(), required=False
    )
    summary = forms.CharField(label=_("活动简介"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = scope.visible(user, Workstation, "host").order_by("name")
        self.fields["partners"].queryset = Organisation.objects.filter(
            partner_profile__isnull=False
        ).order_by("name")
        self.fields["project"].queryset = scope.visible(user, ServiceProject).order_by("name")
        if user.role == Role.PARTNER:
            del self.fields["project"]

    def clean(self):
        data = super().clean()
        lo, hi = data.get("min_age"), data.get("max_age")
        if lo is not None and hi is not None and hi < lo:
            self.add_error("max_age", _("最大年龄不能小于最小年龄。"))
        start, end = data.get("held_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("结束日期不能早于活动日期。"))
        return data


class EnrolForm(Form):
    child = forms.IntegerField(label=_("儿童档案号"), min_value=1)
    reason = forms.CharField(
        label=_("破格报名理由（不符合条件时必填）"), max_length=200, required=False
    )


class SummaryForm(Form):
    summary = forms.CharField(label=_("活动总结"), widget=forms.Textarea)


class PhotoForm(Form):
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)
    file = forms.FileField(label=_("照片（JPG、PNG、WEBP）"))


class TrainingForm(Form):
    topic = forms.CharField(label=_("培训主题"), max_length=100)
    held_on = forms.DateField(label=_("培训日期"), widget=DateInput)
    trainer = forms.CharField(label=_("授课人"), max_length=100)
    hours = forms.DecimalField(
        label=_("学时"), min_value=Decimal("0.5"), max_value=200, decimal_places=1
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    division = forms.ModelChoiceField(label=_("组织区划"), queryset=None)
    attendees = UserChoices(
        label=_("参训人员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = scope.visible(user, Division).filter(level__lte=4)
        self.fields["attendees"].queryset = _staff_choices(user)


class AttendanceForm(Form):
    attendees = UserChoices(
        label=_("参训人员"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = _staff_choices(user)


class PartnerForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("已有机构"),
        queryset=Organisation.objects.filter(partner_profile__isnull=True).order_by("name"),
        required=False,
    )
    name = forms.CharField(label=_("或新机构名称"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("新机构类型"), choices=[("", "—"), *OrganisationKind.choices], required=False
    )
    linked_on = forms.DateField(label=_("建立合作日期"), widget=DateInput)
    description = forms.CharField(label=_("简介"), widget=forms.Textarea, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class ContactForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    position = forms.CharField(label=_("职务"), max_length=50, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)


class AgreementForm(Form):
    title = forms.CharField(label=_("协议名称"), max_length=100)
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput)
    starts_on = forms.DateField(label=_("起始日期"), widget=DateInput)
    ends_on = forms.DateField(label=_("终止日期"), widget=DateInput, required=False)
    file = forms.FileField(label=_("协议文件（PDF 或图片）"), required=False)


class ResourceForm(Form):
    partner = forms.ModelChoiceField(label=_("提供机构"), queryset=None)
    kind = forms.ChoiceField(label=_("资源类型"), choices=ResourceKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    quantity = forms.IntegerField(label=_("份数/名额"), min_value=1, max_value=100000)
    amount_yuan = forms.DecimalField(
        label=_("每人金额（元，资金类）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    per_child = forms.CharField(label=_("每人所得"), max_length=100, required=False)
    available_on = forms.DateField(label=_("发放/活动日期"), widget=DateInput)
    available_until = forms.DateField(label=_("截止日期"), widget=DateInput, required=False)
    min_age = forms.IntegerField(label=_("最小年龄"), min_value=0, max_value=17, required=False)
    max_age = forms.IntegerField(label=_("最大年龄"), min_value=0, max_value=17, required=False)
    categories = forms.MultipleChoiceField(
        label=_("适用类别（不选则不限）"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    divisions = forms.ModelMultipleChoiceField(
        label=_("适用区域（不选则不限）"), queryset=None, required=False
    )
    conditions = forms.CharField(label=_("其他条件"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.PARTNER:
            orgs = Organisation.objects.filter(pk=user.organisation_id)
        else:
            orgs = Organisation.objects.filter(partner_profile__isnull=False)
        self.fields["partner"].queryset = orgs.order_by("name")
        from huhang.regions.models import Division

        self.fields["divisions"].queryset = (
            scope.visible(user, Division)
            if user.division_id
            else Division.objects.filter(level__in=[3, 4])
        )

    def clean(self):
        data = super().clean()
        lo, hi = data.get("min_age"), data.get("max_age")
        if lo is not None and hi is not None and hi < lo:
            self.add_error("max_age", _("最大年龄不能小于最小年龄。"))
        return data


class ConfirmForm(Form):
    received_on = forms.DateField(label=_("受助日期"), widget=DateInput)


class TargetForm(Form):
    target_activities = forms.IntegerField(label=_("目标活动场次"), min_value=0)
    target_children = forms.IntegerField(label=_("目标服务儿童数"), min_value=0)
    notes = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)
