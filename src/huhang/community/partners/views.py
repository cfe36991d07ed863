"""Partner and charity-resource pages: thin views — access → form → service → response."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from huhang.community.partners import forms, selectors, services
from huhang.core.access import require
from huhang.core.exceptions import ConcurrentEdit, DomainError
from huhang.core.roles import can
from huhang.core.views import create_view, done, file_view, form_page, list_view, to_page

T = TypeVar("T")

# --- Partners ----------------------------------------------------------------------------------


partner_list = list_view(
    "community.view", "community/partners/partner_list.html", selectors.partner_list
)


_to_partner = to_page("community:partner_detail")


partner_create = create_view(
    "partner.manage",
    lambda request: forms.PartnerForm(request.POST or None),
    services.partner_create,
    gettext_lazy("新增合作伙伴"),
    gettext_lazy("合作伙伴已保存。"),
    _to_partner,
)


def partner_detail(request, pk: int):
    require(request.user, "community.view")
    partner = selectors.partner_for_user(user=request.user, pk=pk)
    context = {
        "partner": partner,
        "detail": selectors.partner_detail(user=request.user, partner=partner),
        "contact_form": forms.ContactForm(),
    }
    return render(request, "community/partners/partner_detail.html", context)


@require_POST
def contact_create(request, pk: int):
    require(request.user, "partner.manage")
    partner = selectors.partner_for_user(user=request.user, pk=pk)
    form = forms.ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写联系人姓名。"))
        return _to_partner(partner)
    services.partner_contact_add(by=request.user, partner=partner, **form.cleaned_data)
    return done(request, _("联系人已添加。"), _to_partner(partner))


@require_http_methods(["GET", "POST"])
def agreement_create(request, pk: int):
    require(request.user, "partner.manage")
    partner = selectors.partner_for_user(user=request.user, pk=pk)
    form = forms.AgreementForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form,
        partial(services.agreement_add, by=request.user, partner=partner),
        title=_("新增合作协议"),
        saved=_("协议已保存。"),
        then=lambda agreement: _to_partner(partner),
        multipart=True,
    )


agreement_download = file_view("community.view", selectors.agreement_for_user)


# --- Resources ---------------------------------------------------------------------------------


resource_list = list_view(
    "community.view", "community/partners/resource_list.html", selectors.resource_list
)


_to_resource = to_page("community:resource_detail")


resource_create = create_view(
    "resource.manage",
    lambda request: forms.ResourceForm(request.POST or None, user=request.user),
    services.resource_create,
    gettext_lazy("登记资源"),
    gettext_lazy("资源已登记。"),
    _to_resource,
)


def resource_detail(request, pk: int):
    require(request.user, "community.view")
    resource = selectors.resource_for_user(user=request.user, pk=pk)
    context = {
        "resource": resource,
        "divisions": list(resource.divisions.all()),
        "rows": selectors.allocation_rows(user=request.user, resource=resource),
        "confirm_form": forms.ConfirmForm(initial={"received_on": resource.available_on}),
        "can_match": can(request.user, "resource.match"),
        "can_manage": can(request.user, "resource.manage"),
    }
    return render(request, "community/partners/resource_detail.html", context)


@require_POST
def resource_propose(request, pk: int):
    require(request.user, "resource.match")
    resource = selectors.resource_for_user(user=request.user, pk=pk)
    n = _refusal_as_message(
        request, lambda: services.resource_propose(by=request.user, resource=resource)
    )
    if n is not None:
        messages.success(request, _("已生成建议名单：%(n)d 名儿童。") % {"n": n})
    return _to_resource(resource)


@require_POST
def resource_confirm(request, pk: int):
    require(request.user, "resource.match")
    resource = selectors.resource_for_user(user=request.user, pk=pk)
    form = forms.ConfirmForm(request.POST)
    keep = {int(v) for v in request.POST.getlist("keep") if v.isdigit()}
    if form.is_valid():
        n = _refusal_as_message(
            request,
            lambda: services.resource_confirm(
                by=request.user, resource=resource, keep=keep, **form.cleaned_data
            ),
        )
        if n is not None:
            messages.success(request, _("已确认 %(n)d 名儿童受助。") % {"n": n})
    else:
        messages.error(request, _("请填写受助日期。"))
    return _to_resource(resource)


@require_POST
def resource_close(request, pk: int):
    require(request.user, "resource.manage")
    resource = selectors.resource_for_user(user=request.user, pk=pk)
    if _refusal_as_message(
        request, lambda: services.resource_close(by=request.user, resource=resource)
    ):
        messages.success(request, _("资源已关闭。"))
    return _to_resource(resource)


def _refusal_as_message(request, call: Callable[[], T]) -> T | None:
    """Like core.forms.run_service for actions without a form: a refusal becomes a message."""
    try:
        return call()
    except ConcurrentEdit:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
