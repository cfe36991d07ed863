"""The workbook opens (read back with python-calamine), one sheet per table, same numbers."""

from __future__ import annotations

import io

from django.urls import reverse
from python_calamine import CalamineWorkbook

from huhang.core.models import AuditEvent
from huhang.reports.tables import COUNT, DECIMAL, FEN, NUMBER, fen_to_decimal

PARAMS = {"period": "2026H1"}


def _sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _expected(value, kind):
    if value is None:
        return ""
    if kind == FEN:
        return float(fen_to_decimal(value))
    if kind in (COUNT, DECIMAL, NUMBER):
        return float(value)
    return value


def test_workbook_has_the_page_numbers(world, users, login):
    client = login(users["supervisor"])
    report = client.get(reverse("reports:half_year"), PARAMS).context["report"]
    before = AuditEvent.objects.filter(action="export").count()
    response = client.get(reverse("reports:half_year_xlsx"), PARAMS)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheets = _sheets(response.content)
    assert list(sheets) == [t.title for t in report.tables]
    for table in report.tables:
        rows = sheets[table.title]
        assert str(rows[0][0]).endswith(table.title)
        assert rows[1][: len(table.columns)] == [c.label for c in table.columns]
        body = table.rows + ([table.total] if table.total is not None else [])
        for got, want in zip(rows[2:], body, strict=False):
            assert got[: len(table.columns)] == [
                _expected(v, c.kind) for v, c in zip(want, table.columns, strict=True)
            ]
    summary = {row[0]: row[1] for row in sheets["主要指标"][2:]}
    assert summary["新认定事实无人抚养儿童"] == 1
    assert summary["发放保障资金"] == 2600.0
    assert summary["购买服务时长"] == 3.0
    events = AuditEvent.objects.filter(action="export", object_type="half_year_report")
    assert events.count() == before + 1
    assert events.latest("pk").detail["format"] == "xlsx"


def test_numbers_are_numbers(world, users, login):
    response = login(users["bureau"]).get(reverse("reports:half_year_xlsx"), PARAMS)
    payments = _sheets(response.content)["保障资金发放"]
    assert payments[2][0] == "孤儿基本生活费（社会散居）"
    assert payments[2][1:4] == [1.0, 2.0, 2600.0]
    assert isinstance(payments[2][3], float)
