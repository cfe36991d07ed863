"""reports.tables.Table.add_total: the 合计 row of a report table."""

from __future__ import annotations

from huhang.reports.tables import FEN, TEXT, Column, Table


def _table(rows: list[list]) -> Table:
    columns = [Column("name", TEXT), Column("children"), Column("n"), Column("paid", FEN)]
    return Table("t", "t", columns, rows=rows)


def test_the_total_sums_every_column_after_the_names():
    table = _table([["a", 1, 2, 300], ["b", 4, 5, 600]])
    table.add_total()
    assert table.total == ["合计", 5, 7, 900]


def test_a_blank_column_has_no_total():
    table = _table([["a", 1, 2, 300], ["b", 1, 5, 600]])
    table.add_total(blank=(1,))
    assert table.total == ["合计", None, 7, 900]


def test_an_empty_table_totals_zero():
    table = _table([])
    table.add_total()
    assert table.total == ["合计", 0, 0, 0]
