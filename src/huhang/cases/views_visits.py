"""Home visits and the inbox: thin views — access → form → service → response."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huhang.cases import selectors_cases, selectors_visits, services
from huhang.cases.forms_visits import VisitForm
from huhang.core import scope
from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.registry.models import Child


@require_http_methods(["GET", "POST"])
def visit_create(request):
    require(request.user, "visit.record")
    child = scope.get(request.user, Child, request.GET.get("child"), "person", "division")
    interval = services.visit_interval_months(child) or settings.HUHANG_VISIT_MONTHS["orphan"]
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        child=child,
        interval=interval,
        initial={"case": request.GET.get("case")},
    )
    if request.method == "POST" and form.is_valid():
        data = {"photos": [], **form.cleaned_data}
        visit = run_service(
            form, lambda: services.visit_record(by=request.user, child=child, **data)
        )
        if visit is not None:
            messages.success(request, _("探访已记录，下次探访：%(d)s。") % {"d": visit.next_due})
            return redirect("workbench:child_detail", pk=child.pk)
    return render(request, "cases/visit_form.html", {"child": child, "form": form})


@require_GET
def visit_list(request):
    require(request.user, "visit.record")
    today = timezone.localdate()
    rows = selectors_visits.visits_due(user=request.user, today=today)
    context = {"rows": rows, "today": today, "days": selectors_visits.DUE_SOON_DAYS}
    return render(request, "cases/visit_list.html", context)


@require_POST
def alert_acknowledge(request, pk: int):
    require(request.user, "case.approve")
    alert = selectors_cases.alert_for_user(user=request.user, pk=pk)
    services.alert_acknowledge(by=request.user, alert=alert)
    messages.success(request, _("已确认预警：%(m)s") % {"m": alert.message})
    return redirect("workbench:inbox")
