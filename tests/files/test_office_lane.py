"""Every other file the system writes, as LibreOffice Calc and openpyxl read it (children list,
leads, audit log, rejected rows), and feeds that LibreOffice writes going through the importer:
text IDs, numeric IDs, date cells and serial dates (issue 14, parts 1 and 5)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from huhang.core import facts, masking
from huhang.core.models import AuditEvent
from huhang.screening.feeds.services import feed_import
from tests.factories.screening import LeadFactory
from tests.files.office import (
    calc_open_csv,
    calc_sheets,
    needs_soffice,
    soffice,
    values,
    workbook,
)
from tests.screening.feedfiles import POLICE, csv_bytes, police_row

# Opening a police feed in LibreOffice: UTF-8 (76), comma; columns by type.
ALL_STANDARD = "CSV:44,34,76,1,,0,false,true"
ALL_TEXT = "CSV:44,34,76,1," + "/".join(f"{i}/2" for i in range(1, len(POLICE) + 1))


def _people(n: int) -> list[dict]:
    return [
        police_row(f"测试{i}", date(2008 + i % 10, 1 + i % 12, 1 + i % 28), seq=i % 400)
        for i in range(n)
    ]


def _to_xlsx(rows, tmp_path, infilter: str, name: str) -> Path:
    return calc_open_csv(csv_bytes(POLICE, rows, "utf-8"), tmp_path, infilter, name)


@needs_soffice
def test_children_xlsx_in_calc_and_openpyxl(users, children, login, tmp_path):
    for role in ("bureau", "socialworker"):
        user = users[role]
        response = login(user).get(reverse("registry:child_export_xlsx"))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = workbook(response.content)
        sheet = book.active
        rows = values(sheet)
        assert sheet.freeze_panes == "A3"
        calc = calc_sheets(response.content, tmp_path, role)["儿童名单"]
        shown = {r[0]: r for r in calc[2:]}
        full_id = masking.disclosure(user).birth_date
        for child in children.values():
            if child.person.name not in shown:
                continue
            row = shown[child.person.name]
            person = child.person
            assert row[1] == masking.shown_id(user, person.id_number)
            if full_id:
                assert row[3] == person.birth_date.isoformat()
            else:
                assert int(row[3]) == facts.age_on(person.birth_date, date.today())
        # openpyxl: the ID column holds strings, never numbers.
        assert all(isinstance(r[1], str) for r in rows[2:])
        assert len(rows) - 2 == len(shown)


@needs_soffice
def test_leads_xlsx_from_the_command_in_calc(tree, children, tmp_path):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"], kind="orphan")
    out = tmp_path / "leads.xlsx"
    call_command("leads", "--format", "xlsx", "--out", str(out), stdout=io.StringIO())
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    calc = calc_sheets(out.read_bytes(), tmp_path, "leads")["排查线索"]
    header = calc[1]
    row = dict(zip(header, calc[2], strict=True))
    assert row["id_number"] == lead.id_number  # full, as text, every digit
    assert row["name"] == lead.name and int(row["id"]) == lead.pk


@needs_soffice
def test_audit_xlsx_in_calc(users, children, login, tmp_path):
    login(users["bureau"]).get(reverse("workbench:child_detail", args=[children["xiaohai"].pk]))
    response = login(users["auditor"]).get(reverse("core:audit_export"))
    calc = calc_sheets(response.content, tmp_path, "audit")["审计日志"]
    number = children["xiaohai"].person.id_number
    labels = [row[6] for row in calc[2:]]
    assert any(masking.mask_id_strict(number) in label for label in labels)
    assert not any(masking.mask_id_number(number) in label for label in labels)
    assert AuditEvent.objects.filter(object_type="audit", action="export").exists()


@needs_soffice
def test_rejected_rows_xlsx_in_calc(users, login, tmp_path, settings, data_dir):
    settings.HUHANG_FEED_ERRORS_KEPT = 5
    rows = [police_row("王小海", date(2015, 6, 1), seq=i, 公民身份号码="1") for i in range(8)]
    path = tmp_path / "police.csv"
    path.write_bytes(csv_bytes(POLICE, rows))
    batch = feed_import(by=None, source="police", path=path).batch
    response = login(users["bureau"]).get(reverse("screening:feed_errors_xlsx", args=[batch.pk]))
    calc = calc_sheets(response.content, tmp_path, "errors")
    kept = [r for r in calc["拒收记录"][2:] if r and r[0].isdigit()]
    assert [int(r[0]) for r in kept] == [2, 3, 4, 5, 6]
    counts = calc["原因统计"]
    total = next(r for r in counts if r[0] == "合计")
    assert (
        int(total[2]) == batch.error_total == sum(int(r[2]) for r in counts[2:] if r[0] != "合计")
    )


@needs_soffice
def test_feeds_written_by_libreoffice(db, data_dir, tmp_path):
    rows = _people(60)
    as_text = _to_xlsx(rows, tmp_path, ALL_TEXT, "text")
    result = feed_import(by=None, source="police", path=as_text)
    assert (result.batch.accepted, result.errors) == (60, [])
    # The same file opened with the default column types: IDs become numbers, dates date cells.
    as_numbers = _to_xlsx(rows, tmp_path, ALL_STANDARD, "standard")
    book = workbook(as_numbers.read_bytes()).active
    assert isinstance(book["B2"].value, int | float) or book["B2"].value.endswith("X")
    assert book["D2"].is_date
    result = feed_import(by=None, source="police", path=as_numbers)
    # Not one row is accepted: the IDs lost digits, the division codes are numbers too; every
    # numeric ID is refused with the number-format reason, never a check-digit hint.
    assert result.batch.accepted == 0 and result.batch.rejected == 60
    numeric = {r["公民身份号码"] for r in rows if r["公民身份号码"].isdigit()}
    id_errors = [(r, m) for r, c, m in result.errors if c == "公民身份号码"]
    assert len(id_errors) == len(numeric)
    assert {m for _r, m in id_errors} == {
        "单元格为数字格式，18位号码已失去精度；请把该列设为文本后重新导出"
    }
    assert any(
        "“公民身份号码”列的" in n and "全部存成了数字格式" in n for n in result.batch.notices
    )


@needs_soffice
def test_serial_dates_written_by_libreoffice(db, data_dir, tmp_path):
    rows = _people(10)
    epoch = date(1899, 12, 30)
    serial = [
        {**r, "出生日期": str((date.fromisoformat(r["出生日期"]) - epoch).days)} for r in rows
    ]
    # IDs as text, the date column as a plain number: LibreOffice writes number cells.
    columns = "/".join(f"{i}/{1 if i == 4 else 2}" for i in range(1, len(POLICE) + 1))
    path = calc_open_csv(csv_bytes(POLICE, serial, "utf-8"), tmp_path, f"CSV:44,34,76,1,{columns}")
    sheet = workbook(path.read_bytes()).active
    assert isinstance(sheet["D2"].value, int | float) and not sheet["D2"].is_date
    result = feed_import(by=None, source="police", path=path)
    assert (result.batch.accepted, result.errors) == (10, [])


@needs_soffice
def test_a_csv_feed_saved_by_libreoffice_from_a_numeric_sheet(db, data_dir, tmp_path):
    """The file a department gets when its sheet had the IDs as numbers and it saves CSV."""
    rows = _people(5)
    as_numbers = _to_xlsx(rows, tmp_path, ALL_STANDARD, "numbers")
    out = tmp_path / "csv-out"
    soffice([as_numbers], "csv:Text - txt - csv (StarCalc):44,34,76,1", out)
    saved = out / "numbers.csv"
    text = saved.read_text(encoding="utf-8")
    assert "E+017" in text or "E+17" in text
    result = feed_import(by=None, source="police", path=saved)
    numeric = [r for r in rows if r["公民身份号码"].isdigit()]
    assert result.batch.rejected == len(numeric)
    assert {m for _r, c, m in result.errors if c == "公民身份号码"} == {
        "单元格为数字格式，18位号码已失去精度；请把该列设为文本后重新导出"
    }


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
