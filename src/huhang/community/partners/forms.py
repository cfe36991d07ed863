"""Forms of the partner and resource pages; choices come from core.scope where they are records of
a region, from the partners' list where they are organisations (district-wide information)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huhang.accounts.models import Organisation, OrganisationKind
from huhang.community.forms import age_field, categories_field, check_age_band, limit_choices
from huhang.community.models import ResourceKind
from huhang.core import scope
from huhang.core.forms import DateInput, Form, validate_person_name
from huhang.core.money import yuan_to_fen
from huhang.core.roles import Role
from huhang.regions.models import Division, Level


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
    contact_name = forms.CharField(
        label=_("联系人"), max_length=50, required=False, validators=[validate_person_name]
    )
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        """The first contact, if one is given, as the service takes contacts."""
        data = super().clean() or {}
        contact = {"name": data.pop("contact_name", ""), "phone": data.pop("contact_phone", "")}
        data["contacts"] = [contact] if contact["name"] else []
        return data


class ContactForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[validate_person_name])
    position = forms.CharField(label=_("职务"), max_length=50, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)


class AgreementForm(Form):
    title = forms.CharField(label=_("协议名称"), max_length=100)
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput)
    starts_on = forms.DateField(label=_("起始日期"), widget=DateInput)
    ends_on = forms.DateField(label=_("终止日期"), widget=DateInput, required=False)
    file = forms.FileField(label=_("协议文件（PDF 或图片）"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["upload"] = data.pop("file", None)
        return data


class ResourceForm(Form):
    partner = forms.ModelChoiceField(label=_("提供机构"), queryset=Organisation.objects.none())
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
    min_age = age_field(_("最小年龄"))
    max_age = age_field(_("最大年龄"))
    categories = categories_field()
    divisions = forms.ModelMultipleChoiceField(
        label=_("适用区域（不选则不限）"), queryset=Division.objects.none(), required=False
    )
    conditions = forms.CharField(label=_("其他条件"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.PARTNER:
            orgs = Organisation.objects.filter(pk=user.organisation_id)
        else:
            orgs = Organisation.objects.filter(partner_profile__isnull=False)
        limit_choices(self, "partner", orgs.order_by("name"))
        # A partner is bound to no division: it may offer to any street or to the district.
        divisions = (
            scope.visible(user, Division)
            if user.division_id
            else Division.objects.filter(level__in=[Level.DISTRICT, Level.STREET])
        )
        limit_choices(self, "divisions", divisions)

    def clean(self) -> dict[str, Any]:
        """The amount in fen, as the service keeps money (core.money)."""
        data = super().clean() or {}
        check_age_band(self, data)
        amount = data.pop("amount_yuan", None)
        data["amount_fen"] = 0 if amount is None else yuan_to_fen(f"{amount:f}")
        return data


class ConfirmForm(Form):
    received_on = forms.DateField(label=_("受助日期"), widget=DateInput)
