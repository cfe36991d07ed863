"""The kernel's own page (the audit-trail browser; the home page is the workbench's) and the view
plumbing every app's pages share: a list page, a page of one form, a stored private file, a done
message."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huhang.core import exports, health, jobs, masking, scope
from huhang.core.access import require
from huhang.core.audit import audit_record, audit_search
from huhang.core.audit_forms import AuditFilterForm
from huhang.core.forms import FilterForm, submit
from huhang.core.models import AuditAction, AuditEvent, Job, JobStatus
from huhang.core.paging import other_params, page_of, render_list
from huhang.core.roles import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _audit_events(request) -> tuple[AuditFilterForm, QuerySet[AuditEvent], dict]:
    require(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None)
    events: QuerySet[AuditEvent] = scope.visible(request.user, AuditEvent)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters:
        events = form.apply(events)
    return form, events, filters


def audit_list(request):
    form, events, filters = _audit_events(request)
    # Reading the trail is in the trail too (its labels name children).
    audit_search(by=request.user, object_type="audit", label="audit", **filters)
    page = page_of(request, events.order_by("-at", "-id"), per_page=settings.HUHANG_PAGE_SIZE * 2)
    _name_people(page.object_list)
    context = {"form": form, "page": page, "query": other_params(request)}
    return render(request, "core/audit_list.html", context)


def _name_people(events: Any) -> None:
    """Attach `person` (the user's name as people know it, or the login of a deleted user) and
    `role_label` to the events of one page: one query for the page, whatever its length."""
    events = list(events)
    ids = {e.user_id for e in events if e.user_id}
    # The kernel names no app: the user model comes from the settings.
    users = get_user_model().objects.filter(pk__in=ids).only("username", "first_name", "last_name")
    names = {u.pk: f"{u.last_name}{u.first_name}".strip() or u.username for u in users}
    labels = dict(Role.choices)
    for e in events:
        e.person = names.get(e.user_id, e.username)
        e.role_label = labels.get(e.role, e.role)


AUDIT_EXPORT_LIMIT = 100_000


def audit_export(request):
    """The filtered audit trail as XLSX (newest first, at most AUDIT_EXPORT_LIMIT events), ID
    numbers in it as the user may see them (core.masking); the export is itself an event."""
    _form, events, _filters = _audit_events(request)
    rows = []
    zone = timezone.get_current_timezone()
    for e in events.order_by("-at", "-id")[:AUDIT_EXPORT_LIMIT].iterator(chunk_size=5000):
        rows.append(
            [
                e.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                e.username,
                e.role,
                e.get_action_display(),
                e.object_type,
                e.object_id,
                masking.redact(request.user, e.object_label),
                e.ip or "",
                e.via,
                masking.redact(request.user, json.dumps(e.detail, ensure_ascii=False))
                if e.detail
                else "",
            ]
        )
    audit_record(
        by=request.user,
        action=AuditAction.EXPORT,
        object_type="audit",
        label="审计日志",
        detail={"format": "xlsx", "events": len(rows), **request.GET.dict()},
    )
    columns = [
        exports.Column(_("时间")),
        exports.Column(_("用户")),
        exports.Column(_("角色")),
        exports.Column(_("操作")),
        exports.Column(_("对象类型")),
        exports.Column(_("对象编号"), exports.ID),
        exports.Column(_("对象"), width=40),
        exports.Column(_("来源地址")),
        exports.Column(_("渠道")),
        exports.Column(_("详情"), width=60),
    ]
    title = _("审计日志")
    period = _("导出于 %(day)s") % {"day": timezone.localdate().isoformat()}
    out = io.BytesIO()
    exports.write_xlsx(out, [exports.Sheet(title, columns, rows, title=title, period=period)])
    return download(out.getvalue(), exports.XLSX_CONTENT_TYPE, "audit.xlsx")


def list_view(
    capability: str,
    template: str,
    rows: Callable[..., Any],
    *,
    filters: type[FilterForm] | None = None,
) -> Callable[[HttpRequest], HttpResponse]:
    """The view of a list page: to a user whose role carries `capability`, the page asked for
    of `rows(user=…)` (a selector), through core.paging.render_list. With `filters`, a filter
    form bound to the query string: `rows(user=…, filters=form.filters())`, the form in the
    context as `form`."""

    def view(request: HttpRequest) -> HttpResponse:
        require(request.user, capability)
        if filters is None:
            return render_list(request, template, rows(user=request.user))
        form = filters(request.GET or None)
        return render_list(
            request, template, rows(user=request.user, filters=form.filters()), form=form
        )

    return view


def form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[..., Any],
    *,
    saved: StrOrPromise | Callable[[Any], StrOrPromise],
    then: str | Callable[[Any], HttpResponseBase],
    template: str = "core/form_page.html",
    **context: Any,
) -> HttpResponseBase:
    """A page of one form that saves through a service. A valid POST calls `save` with the
    form's cleaned data as keywords (or with `form.service_kwargs()`, where a form translates
    its fields into the service's arguments): a refusal shows on the form
    (core.forms.run_service); success says `saved` (or `saved(record)`) and goes to the page
    `then` names for the record saved (or to `then(record)`). Anything else shows `template`
    with the form and `context` (core/form_page.html takes `title`, `multipart` and `back`)."""
    arguments = getattr(form, "service_kwargs", lambda: form.cleaned_data)
    record = submit(request, form, lambda: save(**arguments()))
    if record is not None:
        messages.success(request, saved(record) if callable(saved) else saved)
        return then(record) if callable(then) else redirect(then, pk=record.pk)
    return render(request, template, {"form": form, **context})


def create_view(
    capability: str,
    form: Callable[[HttpRequest], forms.Form],
    service: Callable[..., Any],
    title: StrOrPromise,
    saved: StrOrPromise,
    then: str | Callable[[Any], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """The page that creates a record (GET and POST only): to a user whose role carries
    `capability`, the form `form(request)` builds, saved by `service(by=the user, …)` through
    form_page under the title `title`; success says `saved` and goes to the new record's page
    (the URL named `then`, or `then(record)`)."""

    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest) -> HttpResponseBase:
        require(request.user, capability)
        save = partial(service, by=request.user)
        return form_page(request, form(request), save, title=title, saved=saved, then=then)

    return view


def private_file(file: IO[bytes] | FieldFile, content_type: str, **kwargs: Any) -> FileResponse:
    """A stored file (a document, an activity photo, an agreement) for one user only: never
    cached, never sniffed into another type than the one checked at upload. `kwargs` go to the
    FileResponse (e.g. the `filename` it is shown under)."""
    handle = file.open("rb") if isinstance(file, FieldFile) else file
    response = FileResponse(handle, content_type=content_type, **kwargs)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_view(
    capability: str, record: Callable[..., Any]
) -> Callable[[HttpRequest, int], FileResponse]:
    """The view of a record's stored file (its `file` and the `content_type` checked at upload):
    to a user whose role carries `capability`, the file of `record(user=…, pk=…)` (a selector:
    404 for a record the user does not see) through private_file; 404 where it has no file."""

    def view(request: HttpRequest, pk: int) -> FileResponse:
        require(request.user, capability)
        stored = record(user=request.user, pk=pk)
        if not stored.file:
            raise Http404
        return private_file(stored.file, stored.content_type)

    return view


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A file written for this user (an export): an attachment under `filename`, never cached
    (exports hold children's data), never sniffed into another type."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def to_page(name: str) -> Callable[[Model], HttpResponseRedirect]:
    """A record → the way to its page: a redirect to the URL named `name` with the record's key."""

    def to(record: Model) -> HttpResponseRedirect:
        return redirect(name, pk=record.pk)

    return to


def done(request: HttpRequest, message: str, response: HttpResponse) -> HttpResponse:
    """An action that worked: say so on the next page."""
    messages.success(request, message)
    return response


def follow_job(request: HttpRequest, job: Job, message: StrOrPromise) -> HttpResponse:
    """Work a page queued for the background worker (core.jobs): say so, and go to the job's
    page, which follows it and then shows its result."""
    messages.info(request, str(message))
    return redirect("core:job_detail", pk=job.pk)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """/healthz for monitoring: database, field key, disk, background worker (core.health).
    200 while the application can serve (warnings included), 503 when a check fails. No
    personal data, no login, never cached."""
    checks = health.healthz_checks()
    status = health.overall(checks)
    body = {"status": status, "checks": {c.name: c.as_json() for c in checks}}
    response = JsonResponse(body, status=503 if status == health.FAIL else 200)
    add_never_cache_headers(response)
    return response


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's progress (polled by htmx while it runs); once done, the result's page.
    404 for anyone but the user who started it."""
    job = jobs.job_for_user(user=request.user, pk=pk)
    if job.status == JobStatus.DONE and job.result_url:
        if message := job.result.get("message"):
            messages.info(request, str(message))
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = job.result_url
            return response
        return redirect(job.result_url)
    template = "core/job_detail.html"
    if request.headers.get("HX-Request"):
        template += "#progress"
    return render(request, template, {"job": job})


# --- The installable app (issue 13): service worker, manifest, favicon --------------------------


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: the service worker, at the site's root so that its scope is every page (the
    header says so too, for a proxy that moves it). Never cached by the browser's HTTP cache, so
    that a new version is seen at the next page load; its text changes with the static files."""
    static_urls = "|".join(
        static(name)
        for name in (
            "huhang/huhang.css",
            "huhang/huhang.js",
            "huhang/offline.js",
            "huhang/outbox.js",
        )
    )
    context = {
        "version": hashlib.sha256(static_urls.encode()).hexdigest()[:12],
        "offline_hours": settings.HUHANG_OFFLINE_HOURS,
        "static_prefix": settings.STATIC_URL,
    }
    # No request in the context: the worker is answered before the session and the user are
    # known (core.middleware.AppShellMiddleware).
    return HttpResponse(
        render_to_string("core/sw.js", context),
        content_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@login_not_required
@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    """/manifest.webmanifest: the app's name, icons and colours, for "add to home screen"."""
    icons = [
        {"src": static("huhang/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("huhang/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("huhang/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("huhang/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    manifest = {
        "name": _("护航 · 孤困儿童关爱保护"),
        "short_name": _("护航"),
        "description": _("儿童主任、督导员和社工的外勤工具：无网络时也能查看儿童和记录探访。"),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#b91c1c",
        "icons": icons,
    }
    return JsonResponse(
        manifest,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/manifest+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for whatever the page links: the static icon."""
    return redirect(static("huhang/icons/favicon.ico"), permanent=True)
