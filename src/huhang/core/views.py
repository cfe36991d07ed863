"""The audit-trail browser (the kernel's own page; the home page is the workbench's)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import render

from huhang.core.access import require
from huhang.core.audit_forms import AuditFilterForm
from huhang.core.models import AuditEvent
from huhang.core.paging import other_params, page_of


def audit_list(request):
    require(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    events: QuerySet[AuditEvent] = AuditEvent.objects.all()
    if form.is_valid():
        events = form.apply(events)
    page = page_of(request, events.order_by("-at", "-id"), per_page=settings.HUHANG_PAGE_SIZE * 2)
    context = {"form": form, "page": page, "query": other_params(request)}
    return render(request, "core/audit_list.html", context)
