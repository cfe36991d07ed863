"""Pagination of list pages: the page that ?page= asks for, and the other query parameters for
the pager's links (core/pager.html), so that the filters survive turning the page; and the
response of a list page, whole or (for htmx) only its results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render


def page_of(request, rows, *, per_page: int | None = None) -> Page:
    """The page of `rows` asked for (out-of-range and junk numbers give the last or first)."""
    size = per_page or settings.HUHANG_PAGE_SIZE
    return Paginator(rows, size).get_page(request.GET.get("page"))


def other_params(request) -> str:
    """The request's query parameters without `page`, urlencoded."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def render_list(
    request,
    template: str,
    rows,
    context: dict[str, Any] | None = None,
    *,
    decorate: Callable[[Any], None] | None = None,
    **extra: Any,
) -> HttpResponse:
    """A list page: the page of `rows` asked for (`page`) and the filters for the pager's links
    (`query`) added to the context (`context` and any keyword arguments), `decorate` applied to
    the page's rows; an htmx request (the pager, a filter) gets only the template's `results`
    partial, which the page replaces in place (the partial must exist)."""
    page = page_of(request, rows)
    if decorate is not None:
        decorate(page.object_list)
    context = {**(context or {}), **extra, "page": page, "query": other_params(request)}
    return render(request, f"{template}#results" if request.htmx else template, context)
