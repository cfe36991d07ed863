"""Money: integer fen everywhere, yuan only at the edges (pages, files), never through a float."""

from __future__ import annotations

import re
from decimal import Decimal

_YUAN = re.compile(r"^(-?)(\d+)(?:\.(\d{1,2}))?$")


def fen_to_yuan(fen: int) -> str:
    """12345 -> "123.45", exactly (integer arithmetic, no float anywhere)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_to_fen(text: str) -> int:
    """ "123.45" -> 12345; "123.4" and "123" are accepted, anything finer than a fen is not.
    Thousands separators are ignored. Raises ValueError for anything else."""
    match = _YUAN.match(text.strip().replace(",", ""))
    if match is None:
        raise ValueError(f"not an amount in yuan: {text!r}")
    sign, whole, cents = match.groups()
    fen = int(whole) * 100 + int((cents or "0").ljust(2, "0"))
    return -fen if sign else fen


def yuan(fen: int | Decimal | None) -> str:
    """130050 -> "1,300.50" for pages (files use `fen_to_yuan`, without thousands separators)."""
    if fen is None:
        return "—"
    value = int(fen)
    whole, _dot, cents = fen_to_yuan(abs(value)).partition(".")
    return f"{'-' if value < 0 else ''}{int(whole):,}.{cents}"
