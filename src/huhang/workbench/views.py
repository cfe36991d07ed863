"""The pages that compose several apps: home, the inbox and a child's archive page."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from huhang.benefits.selectors import child_payments
from huhang.cases.emergency.selectors import open_emergency
from huhang.cases.timeline.selectors import child_timeline
from huhang.cases.visits.selectors import field_children
from huhang.community.selectors import child_community
from huhang.core.access import require
from huhang.core.offline import offline_page
from huhang.core.roles import can
from huhang.registry import selectors as registry
from huhang.registry.models import Category
from huhang.workbench import selectors


@offline_page
def home(request):
    context: dict = {"inbox": selectors.inbox_counts(request.user)}
    context["day"] = selectors.field_day(request.user)
    if can(request.user, "registry.view"):
        # The same figures as the dashboard's (registry.selectors.register_figures).
        figures = registry.register_figures(user=request.user)
        context["counts"] = {"total": figures.children, "pending": figures.pending}
        context["by_category"] = [
            (c.label, c.value, figures.by_category.get(c.value, 0)) for c in Category
        ]
    return render(request, "workbench/home.html", context)


@require_GET
def inbox(request):
    """The inbox, a few oldest items of each kind; `?section=<kind>` pages through one kind."""
    require(request.user, "registry.view")
    key = request.GET.get("section")
    if key:
        found = selectors.section_page(request.user, key, request.GET.get("page"))
        if found is None:
            raise Http404
        section, page = found
        context = {"sections": [section], "total": section.count, "page_obj": page, "one": True}
        return render(request, "workbench/inbox.html", context)
    sections = selectors.inbox_items(request.user, timezone.localdate())
    total = sum(s.count for s in sections)
    return render(request, "workbench/inbox.html", {"sections": sections, "total": total})


def child_detail(request, pk: int):
    """A child's archive: the registry's record with what the other apps know of the child."""
    require(request.user, "registry.view")
    child = registry.child_archive(user=request.user, pk=pk)
    context = {
        "child": child,
        "timeline": child_timeline(user=request.user, child=child),
        "emergency": open_emergency(user=request.user, child=child),
        "payments": child_payments(request.user, child),
        "community": child_community(user=request.user, child=child),
    }
    return render(request, "workbench/child_detail.html", context)


@require_GET
def offline_pages(request):
    """The pages the phone's service worker keeps for offline field work (core/offline.py):
    home, the visit schedule, the worker's children, the outbox and the visit form of each of
    its children (the most urgent first, at most HUHANG_OFFLINE_FORMS). For the roles that
    work in the field (capability field.offline)."""
    require(request.user, "field.offline")
    form = reverse("cases:visit_create")
    rows = field_children(user=request.user)[: settings.HUHANG_OFFLINE_FORMS]
    pages = [
        reverse("workbench:home"),
        reverse("cases:visit_list"),
        reverse("cases:visit_children"),
        reverse("cases:visit_outbox"),
        *(f"{form}?child={r.child.pk}" for r in rows),
    ]
    return JsonResponse(
        {"user": str(request.user.pk), "sync": reverse("cases:visit_sync"), "pages": pages}
    )
