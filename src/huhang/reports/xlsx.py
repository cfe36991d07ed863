"""The half-year report and the dashboard as XLSX workbooks, one sheet per table, for people and
for paper (core.exports: numbers as numbers, totals in their own bold row, A4 one page wide,
the header row repeated, title and period in the page header and footer).

Each sheet: the report's title in row 1, the column headers in row 2, the rows, the total row,
then the table's note. Written in memory (a report is a few hundred cells).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from huhang.core import exports
from huhang.reports.tables import Table


def tables_workbook(title: str, period: str, tables: Iterable[Table]) -> bytes:
    out = io.BytesIO()
    exports.write_xlsx(out, (_sheet(title, period, table) for table in tables))
    return out.getvalue()


def _sheet(title: str, period: str, table: Table) -> exports.Sheet:
    return exports.Sheet(
        name=table.title,
        columns=[exports.Column(c.label, c.kind) for c in table.columns],
        rows=table.rows,
        title=f"{title} · {table.title}",
        period=period,
        totals=table.total,
        note=table.note,
    )
