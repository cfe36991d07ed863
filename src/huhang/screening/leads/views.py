"""Leads pages: the list (a director's inbox of cards on a phone), the detail with the evidence
in words and the form of the next step, and one endpoint per step. Thin: access → form →
service → redirect (or the detail page again with the form's errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from huhang.core.access import require
from huhang.core.forms import Form, run_service
from huhang.core.roles import can
from huhang.core.views import list_view
from huhang.regions.models import Level
from huhang.screening.leads import forms, selectors, services
from huhang.screening.leads.evidence import evidence_lines

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


lead_list = require_GET(
    list_view(
        "lead.verify",
        "screening/leads/lead_list.html",
        selectors.lead_list,
        filters=forms.LeadFilterForm,
    )
)


@require_GET
def lead_detail(request, pk: int):
    require(request.user, "lead.verify")
    lead = selectors.lead_detail(user=request.user, pk=pk)
    return _detail(request, lead)


@require_http_methods(["GET", "POST"])
def lead_verify(request, pk: int):
    require(request.user, "lead.verify")
    lead = selectors.lead_for_user(user=request.user, pk=pk)
    posted = request.method == "POST"
    form = _verify_form(request.user, lead, *((request.POST, request.FILES) if posted else ()))
    if posted and form.is_valid():
        data = form.cleaned_data
        register = form.register_data() if lead.child_id is None else None
        done = run_service(
            form,
            lambda: services.lead_verify(
                by=request.user,
                lead=lead,
                note=data["note"],
                documents=data["documents"],
                register=register,
                version=data["version"],
            ),
        )
        if done is not None:
            messages.success(request, _("线索已核实，已提交督导员复核。"))
            return redirect("screening:lead_detail", pk=lead.pk)
    return _detail(request, selectors.lead_detail(user=request.user, pk=pk), form=form)


class Step(NamedTuple):
    """A step after verification: who may take it, the form, the service, what is said once it
    is done. `holder_only`: besides, only whoever holds the lead's current step may take it."""

    capability: str
    form: type[Form]
    service: Callable[..., object]
    done: StrOrPromise
    holder_only: bool = False


STEPS = {
    "review": Step(
        "lead.review",
        forms.LeadReviewForm,
        services.lead_review,
        gettext_lazy("线索已复核，已提交民政局审批。"),
    ),
    "approve": Step(
        "lead.approve",
        forms.LeadApproveForm,
        services.lead_approve,
        gettext_lazy("已批准，档案已更新。"),
    ),
    # A director may reject a new lead, a supervisor a verified one, the bureau any open one.
    "reject": Step(
        "lead.verify",
        forms.LeadRejectForm,
        services.lead_reject,
        gettext_lazy("线索已退回。"),
        holder_only=True,
    ),
}


@require_http_methods(["GET", "POST"])
def lead_step(request, pk: int, step: str):
    how = STEPS[step]
    require(request.user, how.capability)
    lead = selectors.lead_for_user(user=request.user, pk=pk)
    if how.holder_only:
        require(request.user, services.STEP_CAPABILITY.get(lead.status, "lead.approve"))
    return _act(request, lead, how.form, how.service, how.done)


def _act(request, lead, form_class, service, done_message):
    form = form_class(request.POST or None, initial={"version": lead.version})
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: service(by=request.user, lead=lead, **form.cleaned_data))
        if done is not None:
            messages.success(request, done_message)
            return redirect("screening:lead_detail", pk=lead.pk)
    return _detail(request, selectors.lead_detail(user=request.user, pk=lead.pk), form=form)


def _verify_form(user, lead, *data):
    """The verification form; for a child without an archive, with the registration fields
    prefilled from the lead's facts. `data` is (POST, FILES) when submitted."""
    initial = {"version": lead.version}
    if lead.child_id is not None:
        return forms.LeadVerifyForm(*data, initial=initial)
    initial |= {
        "name": lead.name,
        "id_number": lead.id_number,
        "sex": lead.sex,
        "birth_date": lead.birth_date,
        "division": lead.division_id if lead.division.level == Level.COMMUNITY else None,
    }
    return forms.LeadRegisterForm(*data, initial=initial, user=user)


STEP_FORMS = {
    "verify": forms.LeadVerifyForm,  # LeadRegisterForm is a LeadVerifyForm
    "review": forms.LeadReviewForm,
    "approve": forms.LeadApproveForm,
}


def _detail(request, lead, *, form=None):
    """The detail page with the forms of the user's next step and of rejection; `form` is a
    form just submitted (shown again with its errors) when it belongs to one of them."""
    step = selectors.next_step(request.user, lead)
    initial = {"version": lead.version}
    step_form = reject_form = None
    if step:
        if form is not None and isinstance(form, STEP_FORMS[step]):
            step_form = form
        elif step == "verify":
            step_form = _verify_form(request.user, lead)
        else:
            step_form = STEP_FORMS[step](initial=initial)
        rejecting = isinstance(form, forms.LeadRejectForm)
        reject_form = form if rejecting else forms.LeadRejectForm(initial=initial)
    shown = form is not None and form in (step_form, reject_form)
    context = {
        # A refusal of a step that is no longer the lead's (someone else acted first).
        "refusals": form.non_field_errors() if form is not None and not shown else [],
        "lead": lead,
        "evidence": selectors.evidence_named(evidence_lines(lead)),
        "show_full_id": can(request.user, "registry.full_id"),
        "step": step,
        "step_form": step_form,
        "reject_form": reject_form,
        "registering": step == "verify" and lead.child_id is None,
        "ending": selectors.is_ending(lead),
    }
    return render(request, "screening/leads/lead_detail.html", context)
