"""Guarantee-fund pages of the standing data (programmes and standards, payees, entitlements):
thin views — access → form → service → response. The payroll run's pages are in
benefits.payroll.views, the student lists' in benefits.students.views, 按时足额 in
benefits.dashboard.views.

A role without the capability gets 403 before any form; a child or entitlement outside the scope
is 404; a service's refusal becomes a message on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huhang.benefits import forms, selectors, services
from huhang.core.access import require
from huhang.core.forms import Form, run_service, submit
from huhang.core.paging import render_list
from huhang.core.roles import can
from huhang.registry import selectors as registry

# --- Programmes and standards ---------------------------------------------------------------------


@require_GET
def programme_list(request):
    require(request.user, "benefits.view")
    context = {"programmes": selectors.programme_list(user=request.user)}
    return render(request, "benefits/programme_list.html", context)


@require_http_methods(["GET", "POST"])
def standard_set(request):
    require(request.user, "benefits.manage")
    form = forms.StandardForm(request.POST or None, initial=request.GET.dict())
    impact = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        impact = selectors.standard_impact(
            user=request.user,
            programme=data["programme"],
            month=data["effective_from"],
            amount_fen=data["amount"],
        )
        if not impact.back_dated or data["confirmed"] == impact.token:
            saved = run_service(
                form,
                lambda: services.standard_set(
                    by=request.user,
                    programme=data["programme"],
                    effective_from=data["effective_from"],
                    amount_fen=data["amount"],
                    note=data["note"],
                ),
            )
            if saved is not None:
                messages.success(request, _saved_standard_message(impact))
                return redirect("benefits:programme_list")
        else:
            form = forms.StandardForm({**request.POST.dict(), "confirmed": impact.token})
            form.is_valid()
    return render(request, "benefits/standard_form.html", {"form": form, "impact": impact})


def _saved_standard_message(impact) -> str:
    text = _("已设定 %(p)s 自 %(m)s 起的标准：%(a)s 元。") % {
        "p": impact.programme.name,
        "m": f"{impact.month:%Y-%m}",
        "a": impact.amount_yuan,
    }
    if impact.back_dated:
        text += _("这是追溯调整，下一次发放将补发差额。")
    return text


# --- Payees ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def payee(request, pk: int):
    require(request.user, "benefits.view" if request.method == "GET" else "benefits.manage")
    child = registry.child_for_user(user=request.user, pk=pk)
    if not can(request.user, "benefits.manage"):
        return _payee_page(request, child, form=None)
    form = forms.PayeeForm(request.POST or None)
    saved = submit(
        request,
        form,
        lambda: services.payee_set(by=request.user, child=child, **form.cleaned_data),
    )
    if saved is not None:
        messages.success(
            request,
            _("收款人已登记，账号尾号 %(n)s；须经另一名工作人员确认后才会发放。")
            % {"n": saved.account_last4},
        )
        return redirect("benefits:payee", pk=child.pk)
    return _payee_page(request, child, form=form)


@require_POST
def payee_confirm(request, pk: int, payee_pk: int):
    require(request.user, "benefits.manage")
    child = registry.child_for_user(user=request.user, pk=pk)
    payee = selectors.payee_for_user(user=request.user, child=child, pk=payee_pk)
    services.payee_confirm(by=request.user, payee=payee)
    messages.success(request, _("收款账号尾号 %(n)s 已确认。") % {"n": payee.account_last4})
    return redirect("benefits:payee", pk=child.pk)


def _payee_page(request, child, *, form):
    payees = selectors.payee_list(user=request.user, child=child)
    return render(request, "benefits/payee.html", {"child": child, "form": form, "payees": payees})


# --- Entitlements ---------------------------------------------------------------------------------


@require_GET
def entitlement_list(request, code: str):
    require(request.user, "benefits.view")
    programme = selectors.programme_for_user(user=request.user, code=code)
    form = forms.EntitlementFilterForm(request.GET or None)
    rows = selectors.entitlement_list(user=request.user, programme=programme, **form.filters())
    context = {
        "programme": programme,
        "programmes": selectors.programmes(user=request.user),
        "form": form,
    }
    return render_list(
        request,
        "benefits/entitlement_list.html",
        rows,
        context,
        decorate=selectors.decorate_entitlements,
    )


@require_POST
def entitlement_sync(request):
    require(request.user, "benefits.manage")
    result = services.entitlements_sync(by=request.user)
    messages.success(
        request,
        _("资格已同步：新增 %(created)s 条，更新截止月份 %(ended)s 条。") % result,
    )
    code = request.POST.get("programme", "")
    if selectors.programmes(user=request.user).filter(code=code).exists():
        return redirect("benefits:entitlement_list", code=code)
    return redirect("benefits:programme_list")


# step → (form, service, title)
ENTITLEMENT_STEPS: dict[str, tuple[type[Form], Callable[..., Any], Any]] = {
    "suspend": (forms.SuspendForm, services.suspend, gettext_lazy("停发")),
    "resume": (forms.ResumeForm, services.resume, gettext_lazy("恢复发放")),
}


@require_http_methods(["GET", "POST"])
def entitlement_step(request, pk: int, step: str):
    form_class, service, title = ENTITLEMENT_STEPS[step]
    require(request.user, "benefits.manage")
    entitlement = selectors.entitlement_for_user(user=request.user, pk=pk)
    form = form_class(request.POST or None)
    done = submit(
        request,
        form,
        lambda: service(by=request.user, entitlement=entitlement, **form.cleaned_data),
    )
    if done is not None:
        messages.success(request, _("已保存：%(step)s。") % {"step": title})
        return redirect("benefits:entitlement_list", code=entitlement.programme_id)
    context = {
        "form": form,
        "title": f"{title} · {entitlement.child.person.name}",
        "entitlement": entitlement,
        "back_url": reverse("benefits:entitlement_list", args=[entitlement.programme_id]),
    }
    return render(request, "benefits/entitlement_form.html", context)
