"""Role checks for views: a role without the capability gets 403 (the page exists, not for you).
Which records exist for the user is core.scope's business (404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from huhang.core.roles import can


def require(user, capability: str) -> None:
    if not can(user, capability):
        raise PermissionDenied
