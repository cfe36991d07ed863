"""A report table as data: the web page and the XLSX workbook render the same rows.

Cells keep their raw values (int counts, int fen, Decimal hours, text); each column says how to
show them. The workbook writes numbers as numbers (yuan with two decimals), the page formats them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from huhang.core.exports import COUNT, DECIMAL, FEN, NUMBER, TEXT
from huhang.core.money import yuan

__all__ = ["COUNT", "DECIMAL", "FEN", "NUMBER", "TEXT", "Column", "Table", "fen_to_decimal", "show"]


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT


@dataclass
class Table:
    key: str  # stable id (HTML anchor, test handle)
    title: str  # the sheet's name in the workbook (≤ 31 characters)
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    note: str = ""
    keys: list[str] = field(default_factory=list)  # stable codes of the rows, when they have one

    def row(self, key: str) -> list[Any]:
        return self.rows[self.keys.index(key)]

    def add_total(self, *, blank: tuple[int, ...] = ()) -> None:
        """The total row: 合计, then the sum of each column after the first (the rows' names);
        none for the columns in `blank` (a figure that does not add up, such as children counted
        once in every row)."""
        sums = (
            None if i in blank else sum(r[i] for r in self.rows)
            for i in range(1, len(self.columns))
        )
        self.total = [_("合计"), *sums]

    def display(self, row: list[Any]) -> list[str]:
        return [show(value, column.kind) for value, column in zip(row, self.columns, strict=True)]

    @property
    def display_rows(self) -> list[list[str]]:
        return [self.display(row) for row in self.rows]

    @property
    def cells(self) -> list[list[tuple[str, str, bool]]]:
        """Rows of (column label, shown value, numeric) for the page."""
        return [
            [(c.label, text, c.kind != TEXT) for c, text in zip(self.columns, shown, strict=True)]
            for shown in self.display_rows
        ]

    @property
    def display_total(self) -> list[str] | None:
        return None if self.total is None else self.display(self.total)

    @property
    def total_cells(self) -> list[tuple[str, str, bool]] | None:
        """The total row as (column label, shown value, numeric), so that on a phone, where a
        row becomes a card, the total's figures keep their labels too."""
        shown = self.display_total
        if shown is None:
            return None
        return [
            (c.label, text, c.kind != TEXT) for c, text in zip(self.columns, shown, strict=True)
        ]


def show(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == FEN:
        return yuan(value)
    if kind == COUNT:
        return f"{int(value):,}"
    if kind == DECIMAL:
        return f"{Decimal(value):,.1f}"
    if kind == NUMBER:
        return f"{value:,}"
    return str(value)


def fen_to_decimal(fen: int) -> Decimal:
    """Integer fen as a yuan Decimal (exact) for the workbook."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))
