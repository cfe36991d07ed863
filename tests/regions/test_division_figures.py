"""regions.selectors.DivisionFigures: a row of figures by division rolls up into a total."""

from __future__ import annotations

from dataclasses import dataclass, field

from huhang.regions.selectors import DivisionFigures


@dataclass
class Row(DivisionFigures):
    children: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    overdue: int = 0


def test_a_total_adds_every_count_and_every_count_by_key():
    total = Row("", "合计")
    for row in (
        Row("150203005", "友谊大街街道", 3, {"orphan": 1, "dfuc": 2}, 1),
        Row("150203100", "昆河镇", 4, {"dfuc": 5, "migrant": 1}, 0),
    ):
        total.add(row)
    assert total == Row("", "合计", 7, {"orphan": 1, "dfuc": 7, "migrant": 1}, 1)


def test_adding_leaves_the_added_row_as_it_was():
    row = Row("150203005", "友谊大街街道", 3, {"orphan": 1}, 2)
    total = Row("", "合计")
    total.add(row)
    total.add(row)
    assert row == Row("150203005", "友谊大街街道", 3, {"orphan": 1}, 2)
    assert total == Row("", "合计", 6, {"orphan": 2}, 4)
