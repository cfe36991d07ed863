"""The data directory is 0700 and every file the application writes in it 0600: the database and
its WAL, the secret key, stored documents, Parquet snapshots."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from huhang.core.filemodes import make_private
from huhang.screening.analytics.schema import parquet_write

HUHANG = Path(sys.executable).with_name("huhang")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_installation_is_private(tmp_path):
    if not HUHANG.exists():
        pytest.skip("the huhang console script is not installed in this environment")
    data = tmp_path / "data"
    drop = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "HUHANG_SECRET_KEY")
    environ = {k: v for k, v in os.environ.items() if k not in drop}
    environ["HUHANG_DATA_DIR"] = str(data)
    # A loose umask in the shell that starts the app must not matter.
    subprocess.run(
        ["sh", "-c", f"umask 022 && {HUHANG} migrate --no-input -v 0"],
        env=environ,
        check=True,
        timeout=300,
    )
    assert _mode(data) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    assert {"huhang.sqlite3", "secret_key"} <= {p.name for p in files}
    loose = {str(p.relative_to(data)): oct(_mode(p)) for p in files if _mode(p) != 0o600}
    assert not loose
    dirs = {str(p.relative_to(data)): oct(_mode(p)) for p in data.rglob("*") if p.is_dir()}
    assert all(mode == "0o700" for mode in dirs.values()), dirs


def test_a_stored_document_is_private(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("children/1/scan.pdf", ContentFile(b"%PDF-1.4 test"))
    path = Path(default_storage.path(name))
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_a_parquet_snapshot_is_private(tmp_path):
    path = tmp_path / "batch-1.parquet"
    old = os.umask(0o022)
    try:
        parquet_write(pa.table({"x": [1, 2]}), path)
    finally:
        os.umask(old)
    assert _mode(path) == 0o600


def test_make_private_fixes_a_copied_file_and_skips_a_missing_one(tmp_path):
    copied = tmp_path / "huhang.sqlite3"
    copied.write_bytes(b"")
    copied.chmod(0o644)
    make_private(copied, tmp_path / "huhang.sqlite3-wal")
    assert _mode(copied) == 0o600
