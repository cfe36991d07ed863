"""Visibility of figures (registered with core.scope): the divisions whose dashboards and
reports a user may read — its own subtree, for roles with reports.view (an auditor reads the
figures of its district, not the registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huhang.core import scope
from huhang.core.roles import can
from huhang.regions.models import Division


@scope.rule(Division, "reports")
def report_divisions(user: Any, qs: QuerySet[Division]) -> QuerySet[Division]:
    if not can(user, "reports.view"):
        return qs.none()
    return scope.within(user, qs, "code")
