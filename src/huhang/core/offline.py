"""The installable, offline-first app (issue 13): what the service worker may keep on the phone.

The service worker (core/templates/core/sw.js, served at /sw.js) keeps a page for offline use
only when the page says so with the header OFFLINE_HEADER. A view marks itself with
`@offline_page`, and by doing so promises that what it shows may rest on a phone: no full ID
number, no bank account, no document (the field worker's home, its children with their summary
and risk colour, the visit schedule, the visit form, the outbox). Every other page is never
kept, whatever the worker fetches.

The cache is the signed-in user's alone: it is emptied when the user logs out, when a page shows
that the session has ended (the login page, a redirect to it), when another user signs in on the
phone, and, offline, when OFFLINE_HOURS (setting HUHANG_OFFLINE_HOURS) have passed since the
server last saw the session alive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

OFFLINE_HEADER = "X-Huhang-Offline"
USER_HEADER = "X-Huhang-User"


def offline_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's successful GET pages as safe to keep on the phone (see the module)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            response[OFFLINE_HEADER] = "page"
            # Whose page it is: the service worker keeps one user's pages only.
            response[USER_HEADER] = str(request.user.pk)
        return response

    return wrapper
