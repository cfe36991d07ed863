"""Reads of the division tree that other apps route by: a code as a feed writes it, which may be
one retired by a 区划调整, resolved to the division that replaced it; and the row of a table of
figures by division, which rolls up into the table's total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Self

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


@dataclass
class DivisionFigures:
    """The figures of one division (a street, a community) in a table by division. A subclass
    adds the figures: counts, and counts by key (a dict). `add` rolls another row into this one,
    as a table's total is made of its rows."""

    code: str
    name: str

    def add(self, other: Self) -> None:
        for figure in fields(self)[2:]:
            mine, theirs = getattr(self, figure.name), getattr(other, figure.name)
            if isinstance(mine, dict):
                for key, n in theirs.items():
                    mine[key] = mine.get(key, 0) + n
            else:
                setattr(self, figure.name, mine + theirs)
