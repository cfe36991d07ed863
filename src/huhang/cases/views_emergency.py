"""Emergency protection (临时监护) pages: thin views — access → form → service → response.

Who: opening and logging need "emergency.open" (bureau, supervisor), resolving needs
"emergency.resolve" (bureau); any other role gets 403. Which records: core.scope — a child or
an emergency outside the user's subtree is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import F, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from huhang.cases import forms_emergency as forms
from huhang.cases import services
from huhang.cases.models import Case, EmergencyProtection
from huhang.core import scope
from huhang.core.access import require
from huhang.core.audit import audit_record
from huhang.core.forms import run_service
from huhang.core.models import AuditAction
from huhang.core.paging import page_of
from huhang.registry.models import Child
from huhang.registry.selectors import audit_child

# --- reads (selectors: they start from core.scope and record what they showed) ---------------


def emergency_list(*, user) -> QuerySet[EmergencyProtection]:
    """The scope's emergencies: open ones first (newest taken in first), then the resolved."""
    audit_record(by=user, action=AuditAction.SEARCH, object_type="child", label="临时监护列表")
    return (
        scope.visible(user, EmergencyProtection)
        .select_related("child__person", "child__division")
        .order_by(F("resolved_at").desc(nulls_first=True), "-taken_in_at", "-pk")
    )


def emergency_or_404(user, pk) -> EmergencyProtection:
    try:
        return (
            scope.visible(user, EmergencyProtection)
            .select_related("child__person", "child__division", "opened_by", "resolved_by", "case")
            .get(pk=pk)
        )
    except (ValueError, TypeError, EmergencyProtection.DoesNotExist) as exc:
        raise Http404 from exc


def emergency_detail_data(*, user, pk) -> EmergencyProtection:
    """The emergency with its coordination log (one query), its view audited on the child."""
    emergency = emergency_or_404(user, pk)
    emergency.entries = list(emergency.log.select_related("by"))
    audit_child(by=user, child=emergency.child, action=AuditAction.VIEW, emergency=emergency.pk)
    return emergency


# --- pages --------------------------------------------------------------------------------------


@require_safe
def emergency_list_view(request):
    require(request.user, "registry.view")
    rows = emergency_list(user=request.user)
    page = page_of(request, rows)
    return render(request, "cases/emergency_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def emergency_open(request):
    require(request.user, "emergency.open")
    child = scope.get(request.user, Child, request.GET.get("child"), "person", "division")
    cases = scope.visible(request.user, Case).filter(child=child).order_by("-opened_at")
    initial = {"taken_in_at": _this_minute()}
    form = forms.EmergencyOpenForm(request.POST or None, cases=cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        emergency = run_service(
            form,
            lambda: services.emergency_open(by=request.user, child=child, **form.cleaned_data),
        )
        if emergency is not None:
            messages.success(request, _("已登记临时监护。"))
            return redirect("cases:emergency_detail", pk=emergency.pk)
    title = _("临时监护 · 登记接收")
    return render(request, "cases/emergency_form.html", _form_context(child, form, title))


@require_safe
def emergency_detail(request, pk: int):
    require(request.user, "registry.view")
    emergency = emergency_detail_data(user=request.user, pk=pk)
    context = {"emergency": emergency, "case_url": _case_url(emergency.case_id)}
    return render(request, "cases/emergency_detail.html", context)


@require_http_methods(["GET", "POST"])
def emergency_log(request, pk: int):
    require(request.user, "emergency.open")
    emergency = emergency_or_404(request.user, pk)
    form = forms.CoordinationForm(request.POST or None, initial={"at": _this_minute()})
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.emergency_log(
                by=request.user, emergency=emergency, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("协调记录已登记。"))
            return redirect("cases:emergency_detail", pk=emergency.pk)
    title = _("临时监护 · 登记协调记录")
    return _step_page(request, emergency, form, title)


@require_http_methods(["GET", "POST"])
def emergency_resolve(request, pk: int):
    require(request.user, "emergency.resolve")
    emergency = emergency_or_404(request.user, pk)
    form = forms.ResolveForm(request.POST or None, initial={"resolved_at": _this_minute()})
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.emergency_resolve(
                by=request.user, emergency=emergency, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("临时监护已解除。"))
            return redirect("cases:emergency_detail", pk=emergency.pk)
    title = _("临时监护 · 解除")
    return _step_page(request, emergency, form, title)


def _step_page(request, emergency, form, title):
    context = {**_form_context(emergency.child, form, title), "emergency": emergency}
    return render(request, "cases/emergency_form.html", context)


def _this_minute():
    # What the datetime-local input shows first: most steps are recorded as they happen.
    return timezone.localtime().replace(second=0, microsecond=0)


def _form_context(child, form, title) -> dict:
    return {"child": child, "form": form, "title": title}


def _case_url(case_id: int | None) -> str:
    # The case pages live in urls_cases; until they exist the case is shown without a link.
    if case_id is None:
        return ""
    try:
        return reverse("cases:case_detail", args=[case_id])
    except NoReverseMatch:
        return ""
