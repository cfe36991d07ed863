"""Case pages: thin views — access → form → service → response.

A role without the capability gets 403 before any form; a case outside the scope is 404; a
service's refusal (out of order, missing reason, bad date) becomes a message on the form, or,
for the one-button steps, the error page of core.middleware.DomainErrorMiddleware.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huhang.cases import forms_cases as forms
from huhang.cases import selectors_cases as selectors
from huhang.cases import services
from huhang.cases.models import Case
from huhang.core import scope
from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.core.paging import other_params, page_of
from huhang.registry.models import Child


@require_GET
def case_list(request):
    require(request.user, "case.work")
    form = forms.CaseFilterForm(request.GET or None)
    valid = form.is_valid()
    filters = selectors.CaseFilter(**form.cleaned_data) if valid else selectors.CaseFilter()
    rows = selectors.case_list(user=request.user, filters=filters)
    page = page_of(request, rows)
    query = other_params(request)
    context = {"form": form, "page": page, "query": query}
    template = "cases/case_list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@require_http_methods(["GET", "POST"])
def case_create(request):
    require(request.user, "case.work")
    child = scope.get(request.user, Child, request.GET.get("child"), "person", "division")
    form = forms.CaseOpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = run_service(form, lambda: services.case_open(by=request.user, child=child, **data))
        if case is not None:
            messages.success(request, _("已为 %(name)s 开案。") % {"name": child.person.name})
            return redirect("cases:case_detail", pk=case.pk)
    context = {"child": child, "form": form, "title": _("开案")}
    return render(request, "cases/case_form.html", context)


@require_GET
def case_detail(request, pk: int):
    require(request.user, "case.work")
    case = selectors.case_page(user=request.user, pk=pk)
    return render(request, "cases/case_detail.html", {"case": case})


# step (as in selectors.allowed_steps) → (capability, form, service, title, template).
# Each service takes the case and the form's cleaned data (or `service_kwargs()`).
CASE_STEPS = {
    "assess": (
        "case.work",
        forms.AssessmentForm,
        services.assessment_record,
        gettext_lazy("评估"),
        "cases/case_assess.html",
    ),
    "plan": (
        "case.work",
        forms.PlanForm,
        services.plan_draft,
        gettext_lazy("制定服务计划"),
        "cases/case_plan.html",
    ),
    "service": (
        "case.work",
        forms.ServiceRecordForm,
        services.service_record,
        gettext_lazy("记录服务"),
        "cases/case_form.html",
    ),
    "review": (
        "case.work",
        forms.ReviewForm,
        services.case_review,
        gettext_lazy("评估回顾"),
        "cases/case_form.html",
    ),
    "resume": (
        "case.work",
        forms.ResumeForm,
        services.case_resume,
        gettext_lazy("继续服务"),
        "cases/case_form.html",
    ),
    "request_closure": (
        "case.work",
        forms.ClosureRequestForm,
        services.case_request_closure,
        gettext_lazy("申请结案"),
        "cases/case_form.html",
    ),
    "reject_closure": (
        "case.approve",
        forms.ClosureRejectForm,
        services.case_reject_closure,
        gettext_lazy("退回结案申请"),
        "cases/case_form.html",
    ),
    "reopen": (
        "case.work",
        forms.ReopenForm,
        services.case_reopen,
        gettext_lazy("重新开案"),
        "cases/case_form.html",
    ),
    "refer": (
        "case.work",
        forms.ReferralSendForm,
        services.referral_send,
        gettext_lazy("转介"),
        "cases/case_form.html",
    ),
}


@require_http_methods(["GET", "POST"])
def case_step(request, pk: int, step: str):
    capability, form_class, service, title, template = CASE_STEPS[step]
    require(request.user, capability)
    case = scope.get(request.user, Case, pk, "child__person", "child__division", "project")
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs() if hasattr(form, "service_kwargs") else form.cleaned_data
        done = run_service(form, lambda: service(by=request.user, case=case, **data))
        if done is not None:
            messages.success(request, _("已保存：%(step)s。") % {"step": title})
            return redirect("cases:case_detail", pk=case.pk)
    # The page still opens when the state does not allow the step (an old link, another tab):
    # it says why instead of offering a form that would be refused.
    blocked = step not in selectors.allowed_steps(request.user, case)
    context = {"case": case, "child": case.child, "form": form, "title": title, "blocked": blocked}
    return render(request, template, context)


@require_POST
def plan_approve(request, pk: int):
    require(request.user, "case.approve")
    plan = selectors.plan_for_user(user=request.user, pk=pk)
    services.plan_approve(by=request.user, plan=plan)
    messages.success(request, _("服务计划已批准。"))
    return redirect("cases:case_detail", pk=plan.case_id)


@require_POST
def case_approve_closure(request, pk: int):
    require(request.user, "case.approve")
    case = scope.get(request.user, Case, pk, "child__person", "child__division", "project")
    services.case_approve_closure(by=request.user, case=case)
    messages.success(request, _("已批准结案。"))
    return redirect("cases:case_detail", pk=case.pk)


@require_POST
def case_alert_acknowledge(request, pk: int):
    require(request.user, "case.approve")
    alert = selectors.alert_for_user(user=request.user, pk=pk)
    services.alert_acknowledge(by=request.user, alert=alert)
    messages.success(request, _("已确认预警。"))
    return redirect("cases:case_detail", pk=alert.case_id)


# --- Referrals -----------------------------------------------------------------------------------

REFERRAL_STEPS = {
    "answer": (forms.ReferralAnswerForm, services.referral_answer, gettext_lazy("登记答复")),
    "follow_up": (
        forms.ReferralFollowUpForm,
        services.referral_follow_up,
        gettext_lazy("登记跟进"),
    ),
    "close": (forms.ReferralCloseForm, services.referral_close, gettext_lazy("办结转介")),
}


@require_http_methods(["GET", "POST"])
def referral_step(request, pk: int, step: str):
    if step not in REFERRAL_STEPS:
        raise Http404
    form_class, service, title = REFERRAL_STEPS[step]
    require(request.user, "case.work")
    referral = selectors.referral_for_user(user=request.user, pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(form, lambda: service(by=request.user, referral=referral, **data))
        if done is not None:
            messages.success(request, _("已保存：%(step)s。") % {"step": title})
            return redirect("cases:case_detail", pk=referral.case_id)
    blocked = step not in selectors.referral_steps(request.user, referral)
    context = {
        "case": referral.case,
        "child": referral.case.child,
        "referral": referral,
        "form": form,
        "title": title,
        "blocked": blocked,
    }
    return render(request, "cases/referral_form.html", context)
