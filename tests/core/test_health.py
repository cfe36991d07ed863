"""/healthz, `huhang check` and a data directory without a database (issue 12, parts 7-8).

/healthz answers JSON without login: 200 while the application can serve (a silent worker is a
warning), 503 when the database, the field key or the disk fails; it names no person. `huhang
check` exits non-zero with one line on a missing key or an unmigrated database and warns when
the worker has not been seen for long. A command run against a data directory that has no
database says so in one line and leaves no database file behind (real subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from huhang.core import heartbeat
from huhang.core.models import KeyCanary, WorkerBeat

HUHANG = Path(sys.executable).with_name("huhang")


@pytest.fixture
def with_key(settings, tmp_path, monkeypatch):
    """A data directory holding a field key (and no HUHANG_FIELD_KEY in the environment)."""
    monkeypatch.delenv("HUHANG_FIELD_KEY", raising=False)
    monkeypatch.delenv("HUHANG_FIELD_KEY_FILE", raising=False)
    settings.DATA_DIR = tmp_path
    (tmp_path / "field_key").write_text(Fernet.generate_key().decode())
    return tmp_path


@pytest.fixture
def worker_mode(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _healthz(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthz_is_ok_without_login(db, client, with_key, worker_mode, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    heartbeat.worker_beat("host:1")
    status, body = _healthz(client)
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "key", "disk", "worker"}
    assert body["checks"]["worker"]["seen_seconds_ago"] == 0
    assert body["checks"]["disk"]["free_mb"] > 0


def test_healthz_warns_of_a_silent_worker_but_serves(db, client, with_key, worker_mode, settings):
    status, body = _healthz(client)
    assert status == 200 and body["status"] == "warn"
    assert "db_worker" in body["checks"]["worker"]["message"]
    heartbeat.worker_beat("host:1")
    long_ago = timezone.now() - timedelta(minutes=settings.HUHANG_WORKER_SILENT_MINUTES + 1)
    WorkerBeat.objects.update(seen_at=long_ago)
    status, body = _healthz(client)
    assert status == 200 and body["checks"]["worker"]["status"] == "warn"
    assert "last seen 1" in body["checks"]["worker"]["message"]


def _encrypted_data_exists():
    """The canary that encrypted data leaves (core.crypto): a key is needed from here on."""
    KeyCanary.objects.update_or_create(id=1, defaults={"key_id": "0badc0de", "token": "x"})


def test_healthz_fails_without_the_field_key(db, client, with_key):
    _encrypted_data_exists()
    (with_key / "field_key").unlink()
    status, body = _healthz(client)
    assert status == 503 and body["status"] == "fail"
    assert (
        body["checks"]["key"]["status"] == "fail" and body["checks"]["database"]["status"] == "ok"
    )


def test_healthz_fails_when_the_disk_is_full(db, client, with_key, settings):
    settings.HUHANG_MIN_FREE_DISK_MB = 10**12  # more than any disk has
    status, body = _healthz(client)
    assert status == 503 and body["checks"]["disk"]["status"] == "fail"


def test_healthz_names_no_person(db, client, with_key, children):
    text = client.get("/healthz").content.decode()
    for child in children.values():
        assert child.person.name not in text and child.person.id_number not in text
    assert str(with_key) not in text


def test_check_passes_on_a_healthy_installation(db, with_key, worker_mode, capsys):
    heartbeat.worker_beat("host:1")
    call_command("check")
    out, err = capsys.readouterr()
    assert "ok: database" in out and "ok: migrations" in out and "ok: key" in out
    assert err == ""


def test_check_fails_loudly_without_the_key(db, with_key):
    _encrypted_data_exists()
    (with_key / "field_key").unlink()
    with pytest.raises(CommandError, match=r"^key: no field key") as refused:
        call_command("check")
    assert "\n" not in str(refused.value)


def test_check_fails_on_an_unmigrated_database(db, with_key):
    latest = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    MigrationRecorder.Migration.objects.filter(pk=latest.pk).delete()
    with pytest.raises(CommandError, match=r"^migrations: the database is not migrated: 1 migr"):
        call_command("check")


def test_check_warns_when_the_worker_is_silent(db, with_key, worker_mode, capsys):
    call_command("check")  # a warning does not fail the check
    assert "warning: worker: no background-task worker" in capsys.readouterr().err


def _huhang(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    if not HUHANG.exists():
        pytest.skip("the huhang console script is not installed in this environment")
    drop = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    environ = {k: v for k, v in os.environ.items() if k not in drop}
    environ["HUHANG_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [str(HUHANG), *args], env=environ, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("args", [("leads",), ("check",), ("payroll", "close", "1", "--user", "x")])
def test_a_command_without_a_database_says_so_and_leaves_no_file(tmp_path, args):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database's file is what this is about")
    result = _huhang(tmp_path, *args)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "没有数据库" in line or "no database" in line
    assert not list(tmp_path.glob("*.sqlite3*"))
