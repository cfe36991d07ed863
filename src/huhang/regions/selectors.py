"""Reads of the division tree that other apps route by: a code as a feed writes it, which may be
one retired by a 区划调整, resolved to the division that replaced it."""

from __future__ import annotations

from collections.abc import Iterable

from huhang.regions.models import Division, DivisionAlias


def divisions_by_code(codes: Iterable[str]) -> dict[str, tuple[Division, str | None]]:
    """For each of `codes` that is a division or a retired one: the live division and the old
    code it was reached through (None when the code is the division's own). Two queries."""
    wanted = set(codes)
    found: dict[str, tuple[Division, str | None]] = {
        d.code: (d, None) for d in Division.objects.filter(code__in=wanted)
    }
    for alias in DivisionAlias.objects.filter(code__in=wanted - set(found)).select_related(
        "division"
    ):
        found[alias.code] = (alias.division, alias.code)
    return found
