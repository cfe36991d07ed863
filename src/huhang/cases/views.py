"""Case pages: thin views — access → form → service → response.

A role without the capability gets 403 before any form; a case outside the scope is 404; a
service's refusal (out of order, missing reason, bad date) becomes a message on the form, or,
for the one-button steps, the error page of core.middleware.DomainErrorMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huhang.cases import forms, selectors, services
from huhang.cases.models import Case
from huhang.core.access import require
from huhang.core.views import form_page, list_view
from huhang.registry import selectors as registry_selectors

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django_stubs_ext import StrOrPromise


def back_to_case(request, case_id: int, message: str) -> HttpResponse:
    """Once a step is taken: say so, and show the case again."""
    messages.success(request, message)
    return redirect("cases:case_detail", pk=case_id)


case_list = require_GET(
    list_view(
        "case.work", "cases/case_list.html", selectors.case_list, filters=forms.CaseFilterForm
    )
)


@require_http_methods(["GET", "POST"])
def case_create(request):
    require(request.user, "case.work")
    child = registry_selectors.child_for_user(user=request.user, pk=request.GET.get("child"))
    form = forms.CaseOpenForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form,
        partial(services.case_open, by=request.user, child=child),
        saved=_("已为 %(name)s 开案。") % {"name": child.person.name},
        then="cases:case_detail",
        template="cases/case_form.html",
        child=child,
        title=_("开案"),
    )


@require_GET
def case_detail(request, pk: int):
    require(request.user, "case.work")
    page = selectors.case_page(user=request.user, pk=pk)
    return render(request, "cases/case_detail.html", {"page": page})


class Step(NamedTuple):
    """A step taken through a form: who may, which form, which service (it takes the record and
    what core.views.form_page gives it), the page's title."""

    capability: str
    form: type[django_forms.Form]
    service: Callable[..., object]
    title: StrOrPromise
    template: str = "cases/case_form.html"


# step (as in selectors.allowed_steps) → how it is taken.
CASE_STEPS = {
    "assess": Step(
        "case.work",
        forms.AssessmentForm,
        services.assessment_record,
        gettext_lazy("评估"),
        "cases/case_assess.html",
    ),
    "plan": Step(
        "case.work",
        forms.PlanForm,
        services.plan_draft,
        gettext_lazy("制定服务计划"),
        "cases/case_plan.html",
    ),
    "service": Step(
        "case.work", forms.ServiceRecordForm, services.service_record, gettext_lazy("记录服务")
    ),
    "review": Step("case.work", forms.ReviewForm, services.case_review, gettext_lazy("评估回顾")),
    "resume": Step("case.work", forms.ResumeForm, services.case_resume, gettext_lazy("继续服务")),
    "request_closure": Step(
        "case.work",
        forms.ClosureRequestForm,
        services.case_request_closure,
        gettext_lazy("申请结案"),
    ),
    "reject_closure": Step(
        "case.approve",
        forms.ClosureRejectForm,
        services.case_reject_closure,
        gettext_lazy("退回结案申请"),
    ),
    "reopen": Step("case.work", forms.ReopenForm, services.case_reopen, gettext_lazy("重新开案")),
    "refer": Step(
        "case.work", forms.ReferralSendForm, services.referral_send, gettext_lazy("转介")
    ),
}


@require_http_methods(["GET", "POST"])
def case_step(request, pk: int, step: str):
    how = CASE_STEPS[step]
    require(request.user, how.capability)
    case = selectors.case_for_user(user=request.user, pk=pk)
    # The page still opens when the state does not allow the step (an old link, another tab):
    # it says why instead of offering a form that would be refused.
    blocked = step not in selectors.allowed_steps(request.user, case)
    return _take_step(request, how, case, blocked, {"case": case})


def _take_step(request, how: Step, case: Case, blocked: bool, record: dict[str, Any]):
    """The step's form (or why it is blocked); once the service took it, back to the case.
    `record`: what the service acts on ({"case": …} or {"referral": …}), shown on the page."""
    context = {"case": case, "child": case.child, "title": how.title, "blocked": blocked, **record}
    return form_page(
        request,
        how.form(request.POST or None),
        partial(how.service, by=request.user, **record),
        saved=_("已保存：%(step)s。") % {"step": how.title},
        then=lambda done: redirect("cases:case_detail", pk=case.pk),
        template=how.template,
        **context,
    )


@require_POST
def plan_approve(request, pk: int):
    require(request.user, "case.approve")
    plan = selectors.plan_for_user(user=request.user, pk=pk)
    services.plan_approve(by=request.user, plan=plan)
    return back_to_case(request, plan.case_id, _("服务计划已批准。"))


@require_POST
def case_approve_closure(request, pk: int):
    require(request.user, "case.approve")
    case = selectors.case_for_user(user=request.user, pk=pk)
    services.case_approve_closure(by=request.user, case=case)
    return back_to_case(request, case.pk, _("已批准结案。"))


@require_POST
def alert_acknowledge(request, pk: int, to_inbox: bool = False):
    """Acknowledged from the case's page (back to the case) or from the inbox (back there)."""
    require(request.user, "case.approve")
    alert = selectors.alert_for_user(user=request.user, pk=pk)
    services.alert_acknowledge(by=request.user, alert=alert)
    if to_inbox:
        messages.success(request, _("已确认预警：%(m)s") % {"m": alert.message})
        return redirect("workbench:inbox")
    return back_to_case(request, alert.case_id, _("已确认预警。"))


# --- Referrals -----------------------------------------------------------------------------------


def _referral_step(
    form: type[django_forms.Form], service: Callable[..., object], title: StrOrPromise
) -> Step:
    return Step("case.work", form, service, title, "cases/referral_form.html")


REFERRAL_STEPS = {
    "answer": _referral_step(
        forms.ReferralAnswerForm, services.referral_answer, gettext_lazy("登记答复")
    ),
    "follow_up": _referral_step(
        forms.ReferralFollowUpForm, services.referral_follow_up, gettext_lazy("登记跟进")
    ),
    "close": _referral_step(
        forms.ReferralCloseForm, services.referral_close, gettext_lazy("办结转介")
    ),
}


@require_http_methods(["GET", "POST"])
def referral_step(request, pk: int, step: str):
    if step not in REFERRAL_STEPS:
        raise Http404
    how = REFERRAL_STEPS[step]
    require(request.user, how.capability)
    referral = selectors.referral_for_user(user=request.user, pk=pk)
    blocked = step not in selectors.referral_steps(request.user, referral)
    return _take_step(request, how, referral.case, blocked, {"referral": referral})
