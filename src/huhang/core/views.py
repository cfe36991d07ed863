"""Home page and the audit-trail browser."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import render

from huhang.cases.inbox import inbox_counts
from huhang.core import scope
from huhang.core.access import require
from huhang.core.audit_forms import AuditFilterForm
from huhang.core.models import AuditEvent
from huhang.core.paging import other_params, page_of
from huhang.core.roles import can
from huhang.registry.models import Category, CategoryStatus


def home(request):
    context: dict = {"inbox": inbox_counts(request.user)}
    if can(request.user, "registry.view"):
        children = scope.children(request.user)
        approved = Q(categories__status=CategoryStatus.APPROVED)
        counts = children.aggregate(
            total=Count("pk", distinct=True),
            pending=Count(
                "categories",
                filter=Q(
                    categories__status__in=[CategoryStatus.CANDIDATE, CategoryStatus.VERIFIED]
                ),
            ),
            **{
                f"cat_{c.value}": Count("categories", filter=approved & Q(categories__category=c))
                for c in Category
            },
        )
        context["counts"] = counts
        context["by_category"] = [(c.label, c.value, counts[f"cat_{c.value}"]) for c in Category]
    return render(request, "core/home.html", context)


def audit_list(request):
    require(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_valid():
        events = form.apply(events)
    page = page_of(request, events.order_by("-at", "-id"), per_page=settings.HUHANG_PAGE_SIZE * 2)
    context = {"form": form, "page": page, "query": other_params(request)}
    return render(request, "core/audit_list.html", context)
