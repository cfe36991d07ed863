"""Visibility of divisions (registered with core.scope): a user's own subtree, for filters,
forms and the figures of dashboards."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huhang.core import scope
from huhang.regions.models import Division


@scope.rule(Division)
def divisions(user: Any, qs: QuerySet[Division]) -> QuerySet[Division]:
    return scope.within(user, qs, "code")
