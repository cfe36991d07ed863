"""Which accounts an administrator may act on: those bound inside its division; at the
installation's root, every account (organisations' staff belong to no division)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from huhang.accounts.models import User
from huhang.core import scope
from huhang.core.roles import can


@scope.rule(User, "security")
def accounts_to_secure(user: Any, qs: QuerySet[User]) -> QuerySet[User]:
    where = scope.in_subtree(user, "division_id") if can(user, "security.manage") else None
    if where is None:
        return qs.none()
    if scope.at_root(user):
        where |= Q(division__isnull=True)
    return qs.filter(where)
