"""Request-wide plumbing: the caller's address for the audit trail, and domain errors → messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from huhang.core.context import acting_from
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
