"""Home-visit pages: thin views — access → form → service → response."""

from __future__ import annotations

from functools import partial

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huhang.cases.selectors import child_cases
from huhang.cases.visits import selectors, services
from huhang.cases.visits.forms import VisitForm
from huhang.core.access import require
from huhang.registry.selectors import ChildFilter, child_for_user, child_list
from huhang.registry.views import archive_form

# The picker lists at most this many children; a search narrows it.
PICK_LIMIT = 30


@require_http_methods(["GET", "POST"])
def visit_create(request):
    require(request.user, "visit.record")
    child = child_for_user(user=request.user, pk=request.GET.get("child"))
    cases = child_cases(user=request.user, child=child, open_only=True)
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        cases=cases,
        interval=selectors.next_visit_interval(child),
        initial={"case": request.GET.get("case") or selectors.case_to_preselect(cases)},
    )
    return archive_form(
        request,
        child,
        form,
        partial(services.visit_record, by=request.user, child=child),
        saved=lambda visit: _("探访已记录，下次探访：%(d)s。") % {"d": visit.next_due},
        template="cases/visits/form.html",
        title=_("记录入户探访"),
        multipart=True,
    )


@require_GET
def visit_pick(request):
    """The home page's "record a visit": the children due first, or any child found by name or
    pinyin; each leads to the visit form."""
    require(request.user, "visit.record")
    q = request.GET.get("q", "").strip()
    found = list(child_list(user=request.user, filters=ChildFilter(q=q))[:PICK_LIMIT]) if q else []
    rows = [] if q else selectors.visits_due(user=request.user)[:PICK_LIMIT]
    return render(request, "cases/visits/pick.html", {"q": q, "found": found, "rows": rows})


@require_GET
def visit_list(request):
    require(request.user, "visit.record")
    today = timezone.localdate()
    rows = selectors.visits_due(user=request.user, today=today)
    context = {"rows": rows, "today": today, "days": selectors.DUE_SOON_DAYS}
    return render(request, "cases/visits/list.html", context)
