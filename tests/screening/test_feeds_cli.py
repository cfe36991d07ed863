"""`huhang import_feed`: one JSON object and exit 0; a refused file exits non-zero with one line
on stderr and stores nothing."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huhang.screening.models import FeedBatch
from tests.screening.feedfiles import POLICE, police_row, write_csv

KID = date(2015, 6, 1)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def _run(*args) -> dict:
    out = io.StringIO()
    call_command("import_feed", *args, stdout=out)
    text = out.getvalue()
    assert text.count("\n") <= 1  # exactly one JSON object
    return json.loads(text)


def test_prints_one_json_object_with_rejected_rows(db, data_dir, tmp_path):
    rows = [police_row("王小海", KID), police_row("李梅", KID, sex="F", seq=2, 性别="男")]
    path = write_csv(tmp_path / "police.csv", POLICE, rows)
    got = _run("police", str(path), "--as-of", "2026-03-01")
    batch = FeedBatch.objects.get()
    assert got == {
        "batch": batch.pk,
        "source": "police",
        "rows": 2,
        "accepted": 1,
        "rejected": 1,
        "notices": [],
        "errors": [{"row": 3, "column": "性别", "message": "性别与公民身份号码不符"}],
        "errors_total": 1,
        "errors_omitted": 0,
        "error_counts": [{"column": "性别", "reason": "性别与公民身份号码不符", "count": 1}],
        "duplicate": False,
    }
    assert batch.as_of == date(2026, 3, 1) and batch.imported_by is None
    again = _run("police", str(path))
    assert again["duplicate"] is True and again["batch"] == batch.pk
    assert FeedBatch.objects.count() == 1


def test_missing_column_exits_non_zero_and_stores_nothing(db, data_dir, tmp_path):
    path = write_csv(tmp_path / "police.csv", POLICE[:3], [police_row("王小海", KID)])
    with pytest.raises(CommandError, match="缺少必需的列：出生日期、户籍地行政区划代码、人员状态"):
        _run("police", str(path))
    assert not FeedBatch.objects.exists()


def test_unreadable_file_exits_non_zero(db, data_dir, tmp_path):
    path = tmp_path / "police.csv"
    path.write_bytes(b"\x81\x30\xff\xfe\x00")
    with pytest.raises(CommandError, match="无法读取文件"):
        _run("police", str(path))
    assert not FeedBatch.objects.exists()


def test_bad_arguments(db, data_dir, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        _run("police", str(tmp_path / "none.csv"))
    path = write_csv(tmp_path / "police.csv", POLICE, [police_row("王小海", KID)])
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("police", str(path), "--as-of", "1.3.2026")
    with pytest.raises(CommandError):
        _run("weather", str(path))
    with pytest.raises(CommandError, match="晚于今天"):
        _run("police", str(path), "--as-of", "2999-01-01")


def test_user_option_applies_the_users_permissions(users, data_dir, tmp_path):
    path = write_csv(tmp_path / "police.csv", POLICE, [police_row("王小海", KID)])
    with pytest.raises(CommandError, match="不能导入"):
        _run("police", str(path), "--user", "dataofficer")
    got = _run("police", str(path), "--user", "bureau")
    assert FeedBatch.objects.get(pk=got["batch"]).imported_by == users["bureau"]


def test_exit_status_from_the_shell(db, data_dir, tmp_path):
    from django.core.management import execute_from_command_line

    path = write_csv(tmp_path / "police.csv", POLICE[:2], [police_row("王小海", KID)])
    with pytest.raises(SystemExit) as exc:
        execute_from_command_line(["huhang", "import_feed", "police", str(path)])
    assert exc.value.code != 0
