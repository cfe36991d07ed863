"""`huhang backup` and `huhang restore`, from the command line, on the engine of this test run
(SQLite, or PostgreSQL when DATABASE_URL says so: then in databases of their own).

The round trip: an installation with the small demo district, a document, a feed snapshot and an
approved payroll run is backed up while nothing stops it; the backup is restored into a new
data directory (and a new PostgreSQL database); the copy shows the same pages and exports the
same bank file byte for byte, with no collectstatic of its own. Without the field key the
restore says so and the copy reports the key problem; with the key put back it is whole.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from huhang.core import backup

HUHANG = Path(sys.executable).with_name("huhang")
PROBE = Path(__file__).with_name("backup_probe.py")
KEEP_OUT = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "HUHANG_SECRET_KEY")

pytestmark = pytest.mark.skipif(
    not HUHANG.exists(), reason="the huhang console script is not installed in this environment"
)


@dataclass
class Site:
    """One installation: a data directory and, on PostgreSQL, a database of its own."""

    data_dir: Path
    database_url: str | None

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in KEEP_OUT and not k.startswith("HUHANG_FIELD_KEY")
        }
        env["HUHANG_DATA_DIR"] = str(self.data_dir)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(a) for a in argv],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{argv} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done

    def huhang(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(HUHANG, *argv, check=check)

    def probe(self, *argv: str) -> dict:
        return json.loads(self.run(sys.executable, PROBE, *argv).stdout or "null")


def _server() -> dict | None:
    if connection.vendor != "postgresql":
        return None
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }


def _admin(server: dict, sql: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Three installations (the source and two restore targets), their databases made empty."""
    server = _server()
    root = tmp_path_factory.mktemp("backup")
    made = {}
    for name in ("source", "restored", "keyless", "scratch"):
        url = None
        if server:
            db = f"{settings.DATABASES['default']['NAME']}_bk_{name}"
            _admin(server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            _admin(server, f'CREATE DATABASE "{db}"')
            auth = server["user"] + (f":{server['password']}" if server["password"] else "")
            url = f"postgres://{auth}@{server['host']}:{server['port']}/{db}"
        made[name] = Site(root / name, url)
    yield made
    if server:
        for site in made.values():
            db = site.database_url.rsplit("/", 1)[1]
            _admin(server, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(scope="module")
def source(sites, tmp_path_factory):
    """The source installation, backed up twice (with and without keys), then observed."""
    site = sites["source"]
    out = tmp_path_factory.mktemp("backups")
    site.huhang("migrate", "--no-input", "-v", "0")
    site.huhang("demo_data", "--size", "small", "-v", "0")
    site.probe("seed", str(out / "feeds"))
    site.huhang("collectstatic", "--no-input", "-v", "0")
    with_keys = site.huhang("backup", "--with-keys", "--out", str(out / "with-keys.tar.gz"))
    without = site.huhang("backup", "--out", str(out / "without-keys.tar"))
    return {
        "site": site,
        "with_keys": out / "with-keys.tar.gz",
        "without_keys": out / "without-keys.tar",
        "with_keys_run": with_keys,
        "without_keys_run": without,
        # Observed after the backups: what a copy of either must show.
        "seen": site.probe("observe"),
    }


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def test_a_backup_holds_the_database_the_files_and_a_manifest(source):
    members = _members(source["without_keys"])
    manifest = json.loads(members["manifest.json"])
    engine = "postgresql" if _server() else "sqlite"
    assert manifest["engine"] == engine
    assert (backup.POSTGRES_MEMBER if _server() else backup.SQLITE_MEMBER) in members
    names = set(manifest["files"])
    assert names == set(members) - {"manifest.json"}
    assert any(n.startswith("data/documents/") for n in names)
    assert any(n.startswith("data/feeds/") and n.endswith(".parquet") for n in names)
    assert not any(n.startswith(("data/static/", "keys/")) for n in names)
    data_dir = source["site"].data_dir
    for name in names - {backup.SQLITE_MEMBER, backup.POSTGRES_MEMBER}:
        assert members[name] == (data_dir / name.removeprefix("data/")).read_bytes(), name
    assert "without keys" in source["without_keys_run"].stdout


def test_keys_stay_out_unless_asked_for_with_a_warning(source):
    data_dir = source["site"].data_dir
    field_key = (data_dir / "field_key").read_bytes()
    secret_key = (data_dir / "secret_key").read_bytes()
    plain = source["without_keys"].read_bytes()
    assert field_key not in plain and secret_key not in plain
    assert "WARNING" not in source["without_keys_run"].stderr

    members = _members(source["with_keys"])
    assert members["keys/field_key"] == field_key
    assert members["keys/secret_key"] == secret_key
    assert "WARNING: --with-keys" in source["with_keys_run"].stderr


def test_the_restored_copy_serves_the_same_pages_and_bank_file(sites, source):
    site = sites["restored"]
    done = site.huhang("restore", str(source["with_keys"]))
    assert "restored:" in done.stdout and "WARNING" not in done.stderr
    # Served at once: the collected static files are there (the pages render, the stylesheet
    # is served), and nothing else had to run.
    seen = site.probe("observe")
    assert seen["static"] == 200
    assert {url: page["status"] for url, page in seen["pages"].items()} == {
        url: 200 for url in source["seen"]["pages"]
    }
    assert seen["pages"] == source["seen"]["pages"]
    assert seen["bank"] == source["seen"]["bank"]
    assert not seen["bank"].startswith("error")
    assert seen["document"] == source["seen"]["document"]
    assert seen["key_problems"] == []
    for parquet in (source["site"].data_dir / "feeds").rglob("*.parquet"):
        copy = site.data_dir / parquet.relative_to(source["site"].data_dir)
        assert copy.read_bytes() == parquet.read_bytes()
        assert oct(copy.stat().st_mode & 0o777) == "0o600"


def test_without_the_field_key_the_copy_says_so_until_it_is_put_back(sites, source):
    site = sites["keyless"]
    done = site.huhang("restore", str(source["without_keys"]))
    assert "WARNING: the field key is missing" in done.stderr
    assert site.probe("keys")["key_problems"], "the copy must report its missing key"
    # The drill: the key kept elsewhere is put back; the copy is then whole.
    key = (source["site"].data_dir / "field_key").read_bytes()
    (site.data_dir / "field_key").write_bytes(key)
    seen = site.probe("observe")
    assert seen["key_problems"] == []
    assert seen["pages"] == source["seen"]["pages"]
    assert seen["bank"] == source["seen"]["bank"]


def test_restore_refuses_a_data_directory_in_use(source):
    done = source["site"].huhang("restore", str(source["without_keys"]), check=False)
    assert done.returncode != 0
    assert "restore refused: the data directory" in done.stderr
    assert "not empty" in done.stderr


def test_a_damaged_backup_is_refused_before_anything_is_written(sites, source, tmp_path):
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(source["without_keys"]) as original, tarfile.open(damaged, "w") as copy:
        for member in original:
            data = original.extractfile(member).read()
            if member.name.startswith("data/documents/"):
                data = data[:-2] + b"!!"  # same size, other bytes
            copy.addfile(member, io.BytesIO(data))
    with pytest.raises(backup.BackupError, match="checksum mismatch: data/documents/"):
        backup.verify(damaged)

    target = sites["scratch"]
    done = target.huhang("restore", str(damaged), check=False)
    assert done.returncode != 0
    assert "checksum mismatch" in done.stderr
    assert {p.name for p in target.data_dir.iterdir()} <= {"secret_key"}


def test_a_member_not_in_the_manifest_is_refused(source, tmp_path):
    extra = tmp_path / "extra.tar"
    with tarfile.open(source["without_keys"]) as original, tarfile.open(extra, "w") as copy:
        for member in original:
            copy.addfile(member, original.extractfile(member))
        info = tarfile.TarInfo("data/documents/planted.pdf")
        info.size = 3
        copy.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(backup.BackupError, match="not in the manifest"):
        backup.verify(extra)


def test_verify_only_checks_without_restoring(sites, source):
    target = sites["scratch"]
    done = target.huhang("restore", "--verify-only", str(source["with_keys"]))
    assert "backup intact" in done.stdout
    assert {p.name for p in target.data_dir.iterdir()} <= {"secret_key"}


def test_the_sqlite_copy_is_the_committed_state_while_a_writer_is_busy(tmp_path):
    live = tmp_path / "live.sqlite3"
    db = sqlite3.connect(live, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE line (n INTEGER PRIMARY KEY, fen INTEGER NOT NULL)")
    db.execute("BEGIN")
    db.executemany("INSERT INTO line (fen) VALUES (?)", [(100,)] * 1000)
    db.execute("COMMIT")
    # A writer in the middle of its transaction when the backup starts.
    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO line (fen) VALUES (?)", [(999,)] * 500)
    copy = tmp_path / "copy.sqlite3"
    backup.sqlite_copy(copy, source=live)
    db.execute("COMMIT")
    db.close()

    copied = sqlite3.connect(copy)
    assert copied.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copied.execute("SELECT count(*), sum(fen) FROM line").fetchone() == (1000, 100_000)
    assert copied.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copied.close()
    assert not Path(f"{copy}-wal").exists()


def test_a_backup_never_overwrites_a_file(source):
    done = source["site"].huhang("backup", "--out", str(source["without_keys"]), check=False)
    assert done.returncode != 0
    assert "backup refused:" in done.stderr and "exists" in done.stderr
