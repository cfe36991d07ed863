"""Home-visit pages: thin views — access → form → service → response."""

from __future__ import annotations

import uuid
from functools import partial

from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huhang.cases.selectors import child_cases
from huhang.cases.visits import selectors, services
from huhang.cases.visits.forms import VisitForm
from huhang.core.access import require
from huhang.core.exceptions import DomainError
from huhang.core.offline import offline_page
from huhang.registry.selectors import ChildFilter, child_for_user, child_list
from huhang.registry.views import archive_form

# The picker lists at most this many children; a search narrows it.
PICK_LIMIT = 30


@offline_page
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


@offline_page
@require_GET
def visit_pick(request):
    """The home page's "record a visit": the children due first, or any child found by name or
    pinyin; each leads to the visit form."""
    require(request.user, "visit.record")
    q = request.GET.get("q", "").strip()
    found = list(child_list(user=request.user, filters=ChildFilter(q=q))[:PICK_LIMIT]) if q else []
    rows = [] if q else selectors.visits_due(user=request.user)[:PICK_LIMIT]
    return render(request, "cases/visits/pick.html", {"q": q, "found": found, "rows": rows})


@offline_page
@require_GET
def visit_list(request):
    require(request.user, "visit.record")
    today = timezone.localdate()
    rows = selectors.visits_due(user=request.user, today=today)
    context = {"rows": rows, "today": today, "days": selectors.DUE_SOON_DAYS}
    return render(request, "cases/visits/list.html", context)


@offline_page
@require_GET
def visit_children(request):
    """The field worker's children with their summary and risk colour, kept on the phone."""
    require(request.user, "visit.record")
    rows = selectors.field_children(user=request.user)
    return render(request, "cases/visits/children.html", {"rows": rows})


@offline_page
@require_GET
def visit_outbox(request):
    """The visits waiting on this phone to be sent (the page's script reads them from the
    phone's IndexedDB: the server knows nothing of them until they arrive)."""
    require(request.user, "visit.record")
    return render(request, "cases/visits/outbox.html")


def _refused(status: int, reason: str, field: str | None = None) -> JsonResponse:
    return JsonResponse({"ok": False, "reason": reason, "field": field}, status=status)


def _stored(visit, status: int) -> JsonResponse:
    return JsonResponse(
        {
            "ok": True,
            "visit": visit.pk,
            "url": reverse("workbench:child_detail", args=[visit.child_id]),
            "message": _("探访已记录，下次探访：%(d)s。") % {"d": visit.next_due},
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def visit_sync(request):
    """The phone's outbox sends one visit here (multipart, the visit form's fields plus
    `child` and `client_id`). JSON answers: 201 stored, 200 stored before (the same id sent
    again), 4xx refused with a `reason` the outbox shows and keeps the visit for. A GET gives
    the CSRF token to a sender that has no page (the service worker's background sync)."""
    require(request.user, "visit.record")
    if request.method == "GET":
        return JsonResponse({"csrf": get_token(request)})
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return _refused(400, _("探访缺少手机生成的编号，请重新填写。"), "client_id")
    earlier = selectors.visit_sent_before(user=request.user, client_id=client_id)
    if earlier is not None:
        return _stored(earlier, 200)
    try:
        child = child_for_user(user=request.user, pk=request.POST.get("child"))
    except Http404:
        return _refused(
            404, _("该儿童已不在您的工作范围内，或档案已不存在，探访无法记入。"), "child"
        )
    form = VisitForm(
        request.POST,
        request.FILES,
        cases=child_cases(user=request.user, child=child),
        interval=selectors.next_visit_interval(child),
    )
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        reason = f"{label}：{errors[0]}" if label else str(errors[0])
        return _refused(422, reason, field)
    kwargs = form.service_kwargs()
    kwargs["client_id"] = client_id
    try:
        visit = services.visit_record(by=request.user, child=child, **kwargs)
    except DomainError as exc:
        return _refused(409, exc.message, exc.field)
    return _stored(visit, 201)
