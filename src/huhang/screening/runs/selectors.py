"""Every read of the screening runs, through core.scope (the installation's runs, for the roles
that run them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from huhang.core import scope
from huhang.screening.models import IN_FLIGHT, ScreeningRun

if TYPE_CHECKING:
    from huhang.accounts.models import User


def run_list(*, user: User) -> QuerySet[ScreeningRun]:
    """The runs the user may see, newest first, with who started them."""
    return scope.visible(user, ScreeningRun).select_related("started_by")


def run_in_flight(*, user: User) -> ScreeningRun | None:
    """The run queued or running now, if any (at most one: a unique index says so)."""
    return run_list(user=user).filter(status__in=IN_FLIGHT).first()


def run_for_user(*, user: User, pk: Any) -> ScreeningRun:
    """The run, or 404 for a role that does not run screenings (or no run at all)."""
    return scope.get(user, ScreeningRun, pk, "started_by")
