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


def significant(code: str | None) -> str:
    """The code without the zero padding of the levels it does not name: 150203000000 →
    150203, 150200000000 → 1502, 150203005001 → itself; "" for a blank code."""
    code = (code or "").strip()
    for level in (COMMUNITY, STREET, DISTRICT, CITY):
        n, above = CODE_LENGTH[level], CODE_LENGTH[level - 1]
        if len(code) >= n and code[above:n].strip("0"):
            return code[:n]
    return code[: CODE_LENGTH[PROVINCE]]


def places_disagree(a: str | None, b: str | None) -> bool:
    """Two places (e.g. 户籍地 codes) that both are given and cannot be the same place: neither
    lies within the other. A blank one never disagrees (nothing to compare)."""
    a, b = significant(a), significant(b)
    return bool(a and b) and not (a.startswith(b) or b.startswith(a))


# The same two functions in SQL (DuckDB macros; see screening.analytics.linkage).
SIGNIFICANT_SQL = """
CASE WHEN c IS NULL OR trim(c) = '' THEN NULL
     WHEN length(c) >= 12 AND trim(substr(c, 10, 3), '0') <> '' THEN substr(c, 1, 12)
     WHEN length(c) >= 9 AND trim(substr(c, 7, 3), '0') <> '' THEN substr(c, 1, 9)
     WHEN length(c) >= 6 AND trim(substr(c, 5, 2), '0') <> '' THEN substr(c, 1, 6)
     WHEN length(c) >= 4 AND trim(substr(c, 3, 2), '0') <> '' THEN substr(c, 1, 4)
     ELSE substr(c, 1, 2) END
"""
