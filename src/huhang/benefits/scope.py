"""Visibility for the guarantee funds (registered with core.scope).

The children whose *figures* (payments, entitlements) a user may see: those of the registry's
rule for registry roles; for an auditor, who reads reports but not the registry, the children of
its division subtree.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huhang.core import scope
from huhang.core.roles import can
from huhang.registry.models import Child


@scope.rule(Child, "figures")
def children_for_figures(user: Any, qs: QuerySet[Child]) -> QuerySet[Child]:
    if not can(user, "benefits.view"):
        return qs.none()
    if can(user, "registry.view"):
        return scope.visible(user, Child)
    return scope.within(user, qs, "division_id")
