"""Template context shared by every page: the user's role label and capabilities for the menu."""

from __future__ import annotations

from huhang.core.roles import CAPABILITIES, can


def huhang(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "caps": {name.replace(".", "_"): can(user, name) for name in CAPABILITIES} if user else {}
    }
