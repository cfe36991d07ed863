"""Pagination of list pages: the page that ?page= asks for, and the other query parameters for
the pager's links (core/pager.html), so that the filters survive turning the page."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator


def page_of(request, rows, *, per_page: int | None = None) -> Page:
    """The page of `rows` asked for (out-of-range and junk numbers give the last or first)."""
    size = per_page or settings.HUHANG_PAGE_SIZE
    return Paginator(rows, size).get_page(request.GET.get("page"))


def other_params(request) -> str:
    """The request's query parameters without `page`, urlencoded."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
