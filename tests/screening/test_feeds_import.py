"""The feed_import service: encodings and XLSX, every rejection reason of FEEDS.md, partial
imports, whole-file refusals that store nothing, duplicates, permissions and the audit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from huhang.core.exceptions import NotAllowed
from huhang.core.models import AuditEvent
from huhang.screening.feeds.reader import FeedFileError
from huhang.screening.feeds.services import feed_import
from huhang.screening.models import FeedBatch, FeedError
from tests.screening.feedfiles import (
    HERE,
    POLICE,
    csv_bytes,
    pid,
    police_row,
    write_csv,
    write_xlsx,
)

AS_OF = date(2026, 3, 1)
KID = date(2015, 6, 1)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def _import(path, source="police", by=None, **kw):
    return feed_import(by=by, source=source, path=path, as_of=AS_OF, **kw)


def _nothing_stored(data_dir: Path) -> None:
    assert not FeedBatch.objects.exists()
    assert not FeedError.objects.exists()
    assert not list(Path(data_dir).rglob("*.parquet*"))


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_each_encoding_imports_and_snapshots(db, data_dir, tmp_path, encoding):
    rows = [police_row("王小海", KID), police_row("乌云·其其格", KID, sex="F", seq=2)]
    path = write_csv(tmp_path / "p.csv", POLICE, rows, encoding)
    result = _import(path)
    assert not result.duplicate
    assert (result.batch.rows, result.batch.accepted, result.batch.rejected) == (2, 2, 0)
    snapshot = pq.read_table(Path(data_dir) / result.batch.snapshot).to_pylist()
    assert [r["name"] for r in snapshot] == ["王小海", "乌云·其其格"]
    assert snapshot[0]["row"] == 2 and snapshot[0]["batch"] == result.batch.pk
    assert snapshot[0]["sex"] == "M" and snapshot[0]["birth_date"] == KID
    assert snapshot[0]["status"] == "normal" and snapshot[0]["id_number"] == pid(KID)
    assert result.encoding == encoding


def test_xlsx_first_sheet_with_date_cells(db, data_dir, tmp_path):
    rows = [police_row("王小海", KID, 出生日期=KID), police_row("李梅", KID, sex="F", seq=3)]
    result = _import(write_xlsx(tmp_path / "p.xlsx", POLICE, rows))
    assert (result.batch.accepted, result.batch.rejected) == (2, 0)
    snapshot = pq.read_table(Path(data_dir) / result.batch.snapshot).to_pylist()
    assert [r["birth_date"] for r in snapshot] == [KID, KID]


def test_columns_in_any_order_extra_ignored_spaces_and_full_width_normalised(
    db, data_dir, tmp_path
):
    header = ["备注", *reversed(POLICE)]
    header = [f" {h} " for h in header]
    number = pid(KID)
    full_width = number.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    row = police_row("  王(wáng)小(xiǎo)海  ", KID, 公民身份号码=f"　{full_width} ")
    row["出生日期"] = "２０１５／０６／０１"
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(header, [{f" {k} ": v for k, v in row.items()}]))
    result = _import(path)
    assert result.batch.rejected == 0, result.errors
    got = pq.read_table(Path(data_dir) / result.batch.snapshot).to_pylist()[0]
    assert got["id_number"] == number and got["birth_date"] == KID
    assert got["name"] == "王(wáng)小(xiǎo)海" and got["name_key"] == "王小海"


@pytest.mark.parametrize("text", ["2015-06-01", "2015/06/01", "2015/6/1", "20150601"])
def test_date_formats(db, data_dir, tmp_path, text):
    path = write_csv(tmp_path / "p.csv", POLICE, [police_row("王小海", KID, 出生日期=text)])
    assert _import(path).batch.rejected == 0


def _errors_of(tmp_path, rows, source="police", header=POLICE):
    result = _import(write_csv(tmp_path / "f.csv", header, rows), source=source)
    return result, [(r, c, m) for r, c, m in result.errors]


def test_every_police_rejection_reason_with_row_column_and_message(db, data_dir, tmp_path):
    good = police_row("王小海", KID)
    bad_check = police_row("错校验", KID, seq=5)
    bad_check["公民身份号码"] = bad_check["公民身份号码"][:17] + (
        "0" if bad_check["公民身份号码"][17] != "0" else "1"
    )
    rows = [
        good,  # row 2
        bad_check,  # 3
        police_row("短号码", KID, seq=6, 公民身份号码="15020320150601"),  # 4
        police_row("无号码", KID, seq=7, 公民身份号码=""),  # 5
        police_row("生日不符", KID, seq=8, 出生日期="2015-06-02"),  # 6
        police_row("性别不符", KID, seq=9, 性别="女"),  # 7
        police_row("未知状态", KID, seq=10, 人员状态="下落不明"),  # 8
        police_row("", KID, seq=11),  # 9: name missing
        police_row("坏代码", KID, seq=12, 户籍地行政区划代码="1502030010"),  # 10
        police_row("坏日期", KID, seq=13, 状态日期="2024年3月"),  # 11
        police_row("重复", KID),  # 12: same ID as row 2
        police_row("坏父亲", KID, seq=14, 父亲公民身份号码="123"),  # 13
    ]
    result, errors = _errors_of(tmp_path, rows)
    assert (result.batch.rows, result.batch.accepted, result.batch.rejected) == (12, 1, 11)
    expected_check = pid(KID, seq=5)[17]
    assert errors == [
        (3, "公民身份号码", f"公民身份号码校验码错误，应为{expected_check}"),
        (4, "公民身份号码", "公民身份号码应为18位"),
        (5, "公民身份号码", "必填项为空"),
        (6, "出生日期", "出生日期与公民身份号码不符"),
        (7, "性别", "性别与公民身份号码不符"),
        (8, "人员状态", "“下落不明”不是可用的值（应为：正常、死亡、迁出、失联、被遣送出境）"),
        (9, "姓名", "必填项为空"),
        (10, "户籍地行政区划代码", "行政区划代码应为12位数字：“1502030010”"),
        (
            11,
            "状态日期",
            "日期无法识别：“2024年3月”（应为 YYYY-MM-DD、YYYY/MM/DD、YYYYMMDD 或日期单元格）",
        ),
        (12, "公民身份号码", "与第 2 行重复"),
        (13, "父亲公民身份号码", "公民身份号码应为18位"),
    ]
    assert FeedError.objects.filter(batch=result.batch).count() == 11
    snapshot = pq.read_table(Path(data_dir) / result.batch.snapshot)
    assert snapshot["row"].to_pylist() == [2]


def test_future_birth_and_bad_characters_and_impossible_dates(db, data_dir, tmp_path):
    future = police_row("未来", date(2026, 6, 1), 出生日期="2026-06-01")
    future["公民身份号码"] = pid(date(2099, 1, 1))
    future["出生日期"] = "2099-01-01"
    rows = [
        future,
        police_row("字母", KID, seq=2, 公民身份号码="15020320150601A01X"),
        police_row("二月三十", KID, seq=3, 状态日期="2024-02-30"),
    ]
    _result, errors = _errors_of(tmp_path, rows)
    assert errors == [
        (2, "公民身份号码", "公民身份号码中的出生日期晚于今天"),
        (3, "公民身份号码", "公民身份号码前17位应为数字，最后一位应为数字或X"),
        (
            4,
            "状态日期",
            "日期无法识别：“2024-02-30”（应为 YYYY-MM-DD、YYYY/MM/DD、YYYYMMDD 或日期单元格）",
        ),
    ]


def test_rejection_reasons_of_the_other_sources(db, data_dir, tmp_path):
    adult = date(1985, 1, 1)
    n1, n2 = pid(adult, seq=1), pid(adult, "F", seq=2)
    justice = ["姓名", "公民身份号码", "措施类型", "起始日期", "终止日期", "执行机关"]
    _r, errors = _errors_of(
        tmp_path,
        [
            {"姓名": "甲", "公民身份号码": n1, "措施类型": "服刑在押", "起始日期": "2025-01-01"},
            {"姓名": "乙", "公民身份号码": n2, "措施类型": "社区矫正", "起始日期": "2025-01-01"},
            {"姓名": "丙", "公民身份号码": n1, "措施类型": "服刑在押", "起始日期": ""},
            {
                "姓名": "丁",
                "公民身份号码": n1,
                "措施类型": "服刑在押",
                "起始日期": "2025-01-01",
                "终止日期": "2024-01-01",
            },
        ],
        "justice",
        justice,
    )
    assert errors == [
        (
            3,
            "措施类型",
            "“社区矫正”不是可用的值（应为：服刑在押、强制隔离戒毒、其他限制人身自由措施）",
        ),
        (4, "起始日期", "必填项为空"),
        (5, "终止日期", "终止日期早于起始日期"),
    ]
    disability = ["姓名", "公民身份号码", "残疾类别", "残疾等级", "发证日期", "有效期至"]
    result, errors = _errors_of(
        tmp_path,
        [
            {
                "姓名": "甲",
                "公民身份号码": n1,
                "残疾类别": "智力",
                "残疾等级": "３",
                "发证日期": "20200101",
            },
            {
                "姓名": "乙",
                "公民身份号码": n2,
                "残疾类别": "肢体",
                "残疾等级": "五级",
                "发证日期": "20200101",
            },
        ],
        "disability",
        disability,
    )
    assert errors == [
        (3, "残疾等级", "“五级”不是可用的值（应为：一级、二级、三级、四级、1、2、3、4）")
    ]
    level = pq.read_table(Path(data_dir) / result.batch.snapshot)["level"].to_pylist()
    assert level == [3]
    assistance = ["户主姓名", "户主公民身份号码", "成员姓名", "成员公民身份号码", "救助类型"]
    assistance += ["起始日期", "终止日期", "行政区划代码"]
    base = {"户主姓名": "甲", "户主公民身份号码": n1, "成员姓名": "甲", "成员公民身份号码": n1}
    base |= {"救助类型": "城市低保", "起始日期": "2025-01-01", "行政区划代码": HERE}
    _r, errors = _errors_of(
        tmp_path,
        [base, base | {"户主公民身份号码": ""}, base | {"行政区划代码": "150203005"}],
        "assistance",
        assistance,
    )
    assert errors == [
        (3, "户主公民身份号码", "必填项为空"),
        (4, "行政区划代码", "行政区划代码应为12位数字：“150203005”"),
    ]


def test_education_id_may_be_blank_but_student_number_unique(db, data_dir, tmp_path):
    header = ["姓名", "公民身份号码", "学籍号", "性别", "出生日期", "学校名称", "学段", "毕业年级"]
    row = {"姓名": "小明", "学籍号": "G1", "性别": "男", "出生日期": "2015-06-01"}
    row |= {"学校名称": "昆区实验小学", "学段": "小学"}
    rows = [
        row,
        row | {"学籍号": "G2", "公民身份号码": pid(KID)},
        row | {"姓名": "小红"},  # G1 again
        row | {"学籍号": "G3", "毕业年级": "也许"},
    ]
    result, errors = _errors_of(tmp_path, rows, "education", header)
    assert errors == [
        (4, "学籍号", "与第 2 行重复"),
        (5, "毕业年级", "“也许”不是可用的值（应为：是、否）"),
    ]
    snapshot = pq.read_table(Path(data_dir) / result.batch.snapshot).to_pylist()
    assert [r["id_number"] for r in snapshot] == [None, pid(KID)]
    assert snapshot[0]["final_year"] is None and snapshot[0]["stage"] == "primary"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet(db, data_dir, tmp_path):
    good, bad = police_row("王小海", KID), police_row("李梅", KID, sex="F", seq=2, 性别="男")
    text = csv_bytes(POLICE, [good]).decode("gb18030")
    text += (
        "\r\n" + ",,,,,,,,,\r\n" + csv_bytes(POLICE, [bad]).decode("gb18030").split("\r\n", 1)[1]
    )
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode("gb18030"))
    result = _import(path)
    assert result.batch.rows == 2
    assert result.errors == [(5, "性别", "性别与公民身份号码不符")]


def test_a_row_with_too_many_cells_is_rejected_alone(db, data_dir, tmp_path):
    text = csv_bytes(POLICE, [police_row("王小海", KID)], "utf-8").decode("utf-8")
    text += "多余,1,2,3,4,5,6,7,8,9,10,11\r\n"
    path = tmp_path / "p.csv"
    path.write_text(text, encoding="utf-8")
    result = _import(path)
    assert (result.batch.accepted, result.batch.rejected) == (1, 1)
    assert result.errors[0][0] == 3 and "12 个单元格" in result.errors[0][2]


def test_missing_required_column_refuses_the_file_and_names_it(db, data_dir, tmp_path):
    header = [h for h in POLICE if h not in ("人员状态", "性别")]
    path = write_csv(tmp_path / "p.csv", header, [police_row("王小海", KID)])
    with pytest.raises(FeedFileError) as exc:
        _import(path)
    assert exc.value.message == "缺少必需的列：性别、人员状态。"
    _nothing_stored(data_dir)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的。"),
        (b"   \r\n", "文件是空的。"),
        (b"\x81\x30\xff\xfe\x00\x01garbage", "无法读取文件"),
        (b"PK\x03\x04not really a workbook", "无法读取文件"),
        ("\ufeff姓名\r\n".encode("utf-8") + b"\xff\xfe", "无法读取文件"),
    ],
)
def test_unreadable_or_empty_files_store_nothing(db, data_dir, tmp_path, content, message):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(FeedFileError) as exc:
        _import(path)
    assert exc.value.message.startswith(message)
    _nothing_stored(data_dir)


def test_header_only_file_is_refused(db, data_dir, tmp_path):
    with pytest.raises(FeedFileError, match="没有数据行"):
        _import(write_csv(tmp_path / "p.csv", POLICE, []))
    _nothing_stored(data_dir)


def test_same_file_again_stores_nothing_and_says_duplicate(db, data_dir, tmp_path):
    rows = [police_row("王小海", KID), police_row("李梅", KID, sex="F", seq=2, 性别="男")]
    path = write_csv(tmp_path / "p.csv", POLICE, rows)
    first = _import(path)
    events = AuditEvent.objects.count()
    again = _import(path)
    assert again.duplicate and again.batch.pk == first.batch.pk
    assert again.errors == first.errors
    assert FeedBatch.objects.count() == 1 and FeedError.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert len(list(Path(data_dir).rglob("*.parquet"))) == 1


def test_failure_while_storing_leaves_nothing_behind(db, data_dir, tmp_path):
    # The snapshot's directory cannot be made: a file stands where it should be.
    (Path(data_dir) / "feeds").mkdir(parents=True)
    (Path(data_dir) / "feeds" / "police").write_text("in the way")
    with pytest.raises(OSError):
        _import(write_csv(tmp_path / "p.csv", POLICE, [police_row("王小海", KID)]))
    _nothing_stored(data_dir)


def test_data_officer_imports_only_its_department(users, data_dir, tmp_path):
    officer = users["dataofficer"]  # 教育局
    header = ["姓名", "公民身份号码", "学籍号", "性别", "出生日期", "学校名称", "学段"]
    row = {"姓名": "小明", "学籍号": "G1", "性别": "男", "出生日期": "2015-06-01"}
    row |= {"学校名称": "昆区实验小学", "学段": "小学"}
    ok = _import(write_csv(tmp_path / "e.csv", header, [row]), source="education", by=officer)
    assert ok.batch.imported_by == officer
    with pytest.raises(NotAllowed):
        _import(write_csv(tmp_path / "p.csv", POLICE, [police_row("王小海", KID)]), by=officer)
    with pytest.raises(NotAllowed):
        _import(tmp_path / "e.csv", source="education", by=users["supervisor"])
    assert FeedBatch.objects.count() == 1


def test_import_is_audited_once_per_batch(users, data_dir, tmp_path):
    rows = [police_row(f"人{i}", KID, seq=i) for i in range(1, 6)]
    result = _import(write_csv(tmp_path / "p.csv", POLICE, rows), by=users["bureau"])
    events = AuditEvent.objects.filter(object_type="feed_batch")
    assert events.count() == 1
    event = events.get()
    assert event.object_id == str(result.batch.pk) and event.username == "bureau"
    assert event.detail["rows"] == 5 and event.detail["accepted"] == 5


def test_console_import_is_audited_as_system(db, data_dir, tmp_path):
    _import(write_csv(tmp_path / "p.csv", POLICE, [police_row("王小海", KID)]))
    event = AuditEvent.objects.get(object_type="feed_batch")
    assert event.username == "system" and event.user_id is None
