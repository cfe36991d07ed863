"""Request-wide plumbing: the caller's address for the audit trail, and domain errors → messages."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from huhang.core.audit import audit_record
from huhang.core.context import acting_from, audited
from huhang.core.exceptions import DomainError


def request_ip(request: HttpRequest) -> str | None:
    # X-Forwarded-For is ignored on purpose: any client could forge it. Behind a reverse proxy,
    # let gunicorn rewrite REMOTE_ADDR (--forwarded-allow-ips) for the proxy's address only.
    return request.META.get("REMOTE_ADDR") or None


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it: `request.htmx` is true for htmx calls."""

    htmx: Any


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_from(request_ip(request), "web"):
            return self.get_response(request)


class DomainErrorMiddleware:
    """The one place where a service's refusal becomes a page (or an htmx fragment)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HtmxRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        template = "core/error_fragment.html" if request.htmx else "core/error.html"
        return render(request, template, {"error": exception}, status=exception.status)


class NoStoreMiddleware:
    """No page is kept by a browser or a proxy: nearly every one shows a child (a list, an
    archive, a form with an ID number), and a shared computer's cache or the back button must
    not show it to the next person. A view that sets its own Cache-Control keeps it; static
    files never reach this (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response


# A route whose `pk` is a child's archive: /children/<pk>/… and /benefits/children/<pk>/payee/.
_CHILD_ROUTE = re.compile(r"(^|/)children/<int:pk>/")


class AuditNetMiddleware:
    """The audit trail's safety net: a page opened with a record's key (a form of a child's
    archive, of a case, of a payee) that wrote no event of its own gets a "view" event naming
    the page and the key. Services and selectors write the precise events; this catches what
    they do not (tests/security/test_audit_every_view.py walks every page). htmx refreshes of
    a page already recorded (a progress bar polling) are not recorded again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audited.set(False)
        try:
            response = self.get_response(request)
            if _unrecorded_view(request, response):
                _record_view(request)
            return response
        finally:
            audited.reset(token)


def _unrecorded_view(request: HttpRequest, response: HttpResponse) -> bool:
    match = request.resolver_match
    return bool(
        request.method == "GET"
        and response.status_code == 200
        and not audited.get()
        and request.user.is_authenticated
        and match is not None
        and "pk" in match.kwargs
        and "HX-Request" not in request.headers
    )


def _record_view(request: HttpRequest) -> None:
    match = request.resolver_match
    assert match is not None
    is_child = _CHILD_ROUTE.search(match.route or "")
    audit_record(
        by=request.user,
        action="view",
        object_type="child" if is_child else match.view_name[:32],
        object_id=match.kwargs["pk"],
        label=request.path[:200],
        detail={"page": match.view_name},
    )


class AppShellMiddleware:
    """Answers the installable app's own files (/sw.js, /manifest.webmanifest, /favicon.ico)
    before the session is read, as WhiteNoise answers static files: the browser asks for them
    beside the pages (a service-worker update check on every page load), and with
    SESSION_SAVE_EVERY_REQUEST a request that reads the session writes it back when it ends,
    over whatever a page changed meanwhile (a two-factor verification, a login)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._views: dict[str, Any] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            view = self.views().get(request.path)
            if view is not None:
                return view(request)
        return self.get_response(request)

    def views(self) -> dict[str, Any]:
        if self._views is None:
            from django.urls import reverse

            from huhang.core import views

            self._views = {
                reverse("core:service_worker"): views.service_worker,
                reverse("core:web_manifest"): views.web_manifest,
                reverse("core:favicon"): views.favicon,
            }
        return self._views
