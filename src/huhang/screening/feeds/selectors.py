"""Every read of the feed batches, through core.scope: the bureau sees every department's
batches, a data officer only its own department's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from huhang.core import scope
from huhang.core.roles import Role, can
from huhang.screening.analytics import schema
from huhang.screening.models import FeedBatch

if TYPE_CHECKING:
    from huhang.accounts.models import User


def allowed_sources(user: User) -> list[str]:
    """The sources a user may import: all for the bureau, its department for a data officer."""
    if not can(user, "feed.upload"):
        return []
    if user.role == Role.DATA_OFFICER:
        department = getattr(getattr(user, "organisation", None), "department", "")
        return [department] if department in schema.SOURCES else []
    return list(schema.SOURCES)


def batch_list(*, user: User) -> QuerySet[FeedBatch]:
    """The batches the user may see, newest first, with who imported them."""
    return scope.visible(user, FeedBatch).select_related("imported_by")


def batch_for_user(*, user: User, pk: Any) -> FeedBatch:
    """The batch, or 404 when it is another department's (or no batch at all)."""
    return scope.get(user, FeedBatch, pk, "imported_by")


def current_batches() -> dict[str, FeedBatch]:
    """The current snapshot of each source: its latest batch (highest as-of date, then id)."""
    latest: dict[str, FeedBatch] = {}
    for batch in FeedBatch.objects.exclude(snapshot="").order_by("source", "-as_of", "-id"):
        latest.setdefault(batch.source, batch)
    return {s: latest[s] for s in schema.SOURCES if s in latest}
