"""The plumbing every app's views and services share: role checks, the one 404 helper, and the
conditional UPDATE that claims a row for a state change.

Which *records* exist for a user is core.scope's business (404); what a role may *do* is
core.roles' (403, "the page exists, not for you").
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.roles import can

M = TypeVar("M", bound=Model)


def require(user: Any, capability: str) -> None:
    """NotAllowed (403, a PermissionDenied) unless the user's role carries the capability.
    Views call it before anything else; services call it again, for callers that are not views."""
    if not can(user, capability):
        raise NotAllowed(_("您的角色无权进行此操作。"))


def may_change(request: Any, capability: str) -> bool:
    """On a page that some roles may also change (a form beside what everyone sees): whether
    this user may, so the page shows the form; a POST from a user who may not is refused (403)
    rather than ignored."""
    if request.method == "POST":
        require(request.user, capability)
    return can(request.user, capability)


def get_or_404(qs: QuerySet[M], pk: Any) -> M:
    """The row with this key from an already scoped queryset; 404 for a key that is missing,
    out of scope or not even a key ("abc", None) — the three look the same from outside."""
    try:
        return qs.get(pk=pk)
    except (ValueError, TypeError, ObjectDoesNotExist) as exc:
        raise Http404 from exc


def claim(qs: QuerySet[Any], *, refusal: str | DomainError, **fields: Any) -> None:
    """Apply `fields` with one conditional UPDATE, or raise InvalidTransition(refusal) — or
    `refusal` itself when it is a domain error (e.g. ConcurrentEdit for a stale version).

    `qs` names the row *and the state it must still be in* (e.g. `Plan.objects.filter(pk=p.pk,
    approved_at__isnull=True)`). The database decides the race: of two concurrent approvals of
    the same plan exactly one updates the row, the other sees 0 rows and is refused — a step
    whose claim ignored the count would pass twice in silence. More than one row is a bug in
    the caller's filter, also refused.
    """
    if qs.update(**fields) != 1:
        raise refusal if isinstance(refusal, DomainError) else InvalidTransition(refusal)
