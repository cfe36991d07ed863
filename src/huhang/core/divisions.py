"""Division codes (统计用区划代码) as the kernel knows them: a code's length says its level, and a
division's code is a prefix of its descendants' codes (150203 → 150203005 → 150203005001), so
"the subtree of X" is "codes starting with X's code" — no recursive queries anywhere.

The division *table* lives in the regions app; this module only knows the shape of a code, so that
every layer (scope rules, feed validation, screening SQL) can reason about codes without it.
"""

from __future__ import annotations

from django.db.models import Q

# Code length of each level of the national scheme, by level number (1 = province … 5 = village).
PROVINCE, CITY, DISTRICT, STREET, COMMUNITY = 1, 2, 3, 4, 5
CODE_LENGTH: dict[int, int] = {PROVINCE: 2, CITY: 4, DISTRICT: 6, STREET: 9, COMMUNITY: 12}
LEVEL_OF_LENGTH: dict[int, int] = {length: level for level, length in CODE_LENGTH.items()}
LEAF_LENGTH = CODE_LENGTH[COMMUNITY]


def level_of(code: str) -> int | None:
    """The level a code's length stands for, or None for a length no level has."""
    return LEVEL_OF_LENGTH.get(len(code))


def ancestor_codes(code: str) -> list[str]:
    """The codes of the levels above `code` (shortest first); e.g. 150203005 → 15, 1502, 150203."""
    return [code[:n] for n in CODE_LENGTH.values() if n < len(code)]


def subtree_q(code: str, field: str = "code") -> Q:
    """Q selecting rows whose division (in `field`) lies in the subtree rooted at `code`.

    Written as a range, code <= x < next code of the same length, rather than LIKE 'code%':
    both engines answer a range from the index, SQLite never answers LIKE from it. Codes are
    digits only, so the bound is the prefix plus one, zero-padded to the same width.
    """
    if len(code) == LEAF_LENGTH:  # a community is a leaf
        return Q(**{field: code})
    upper = str(int(code) + 1).zfill(len(code))
    if len(upper) > len(code):  # "99…9" has no next code of its width
        return Q(**{f"{field}__gte": code})
    return Q(**{f"{field}__gte": code, f"{field}__lt": upper})


def overlap_q(code: str, field: str) -> Q:
    """Rows whose division (in `field`) is in the subtree of `code` or one of its ancestors:
    a district-wide offer reaches a street's children, a street's a community's."""
    return subtree_q(code, field) | Q(**{f"{field}__in": ancestor_codes(code)})
