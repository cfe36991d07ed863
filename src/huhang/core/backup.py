"""Backup and restore of an installation: `huhang backup --out FILE`, `huhang restore FILE`.

A backup is one tar file (gzip-compressed when its name ends in `.gz` or `.tgz`):

- `database/huhang.sqlite3`: a consistent copy of the embedded database, made with SQLite's online
  backup API while the application runs; or `database/postgresql.dump`: `pg_dump --format=custom`
  of the PostgreSQL database (one snapshot of the whole database, taken while it runs);
- `data/...`: everything else in the data directory (uploaded documents and photos, the Parquet
  snapshots of the department feeds, ...), copied after the database, so that every file a row
  of the copied database names is already there;
- `keys/...`: the secret key and the field key (and any other `*_key` file of the data
  directory), only with `--with-keys`: a backup with keys is as sensitive as the keys;
- `manifest.json` (the last member): the format, the engine, the applied migrations, a check
  value of the field key (never the key), and the size and SHA-256 of every other member.

Left out always: collected static files (`static/`, rebuilt by the restore) and the SQLite
database's own files in the data directory (the copy stands for them).

The restore refuses a data directory that holds anything but the secret key the settings may
just have generated, and a PostgreSQL database that has any table; it reads the whole archive
and checks every checksum before it writes anything, then loads the database, puts the files
and keys in place (0600), applies any migration the code has and the backup had not, and
collects the static files, so that the copy serves at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection

from huhang.core.env import env_str
from huhang.core.filemodes import DIR_MODE, make_private, private_dir

FORMAT = "huhang-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/huhang.sqlite3"
POSTGRES_MEMBER = "database/postgresql.dump"
# What the data directory may hold and still count as empty: the settings write the secret key
# at start-up, before any command runs.
STARTUP_FILES = frozenset({"secret_key"})
# Directories of the data directory never backed up: rebuilt by the restore (collectstatic).
SKIPPED_DIRS = frozenset({"static"})
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, in one line."""


Say = Callable[[str], None]


def _quiet(message: str) -> None:
    return None


# --- Keys -------------------------------------------------------------------------------------------


def _is_key(path: Path, data_dir: Path) -> bool:
    return path.parent == data_dir and (path.name in STARTUP_FILES or path.name.endswith("_key"))


def field_key_text() -> str | None:
    """The field key as the application reads it (HUHANG_FIELD_KEY[_FILE], else the data
    directory's `field_key`), or None when there is none. Never generates one."""
    key = env_str("HUHANG_FIELD_KEY", "")
    if key:
        return key.strip()
    path = Path(settings.DATA_DIR) / "field_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    return None


def key_check(key: str) -> str:
    """A short check value of a key: says whether two keys are the same, tells nothing of it."""
    return hashlib.sha256(b"huhang-backup-key-check\0" + key.encode()).hexdigest()[:16]


# --- Writing ----------------------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing what was read."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(size)
        self.sha256.update(chunk)
        return chunk


@dataclass
class _Writer:
    tar: tarfile.TarFile
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_file(self, name: str, path: Path) -> None:
        with path.open("rb") as fh:
            info = tarfile.TarInfo(name)
            info.size = os.fstat(fh.fileno()).st_size
            info.mtime = int(path.stat().st_mtime)
            info.mode = 0o600
            reader = _HashingReader(fh)
            self.tar.addfile(info, reader)
        self.files[name] = {"size": info.size, "sha256": reader.sha256.hexdigest()}

    def add_bytes(self, name: str, data: bytes, *, listed: bool = True) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(dt.datetime.now().timestamp())
        info.mode = 0o600
        self.tar.addfile(info, io.BytesIO(data))
        if listed:
            self.files[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def sqlite_copy(target: Path, source: Path | None = None) -> None:
    """A consistent copy of the live database (`source`, default this installation's) through
    SQLite's online backup API: what was committed when the copy began, whatever is being
    written meanwhile."""
    name = str(source or settings.DATABASES["default"]["NAME"])
    if not Path(name).exists():
        raise BackupError(f"no database at {name}: nothing to back up")
    # Not read-only: a reader of a WAL database may have to create its shared-memory file.
    live = sqlite3.connect(name, timeout=60)
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)
        # One self-contained file: no WAL beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        live.close()


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    env = dict(os.environ)
    for var, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return found


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no message)"]
        raise BackupError(f"{Path(argv[0]).name} failed: {lines[-1]}")


def _pg_dump(target: Path) -> None:
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
        ]
    )


def _migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _data_files(data_dir: Path, skip: set[Path]) -> Iterator[Path]:
    for root, dirs, files in os.walk(data_dir):
        here = Path(root)
        if here == data_dir:
            # Rebuilt by a restore; and our own temporary directories.
            dirs[:] = [
                d
                for d in dirs
                if d not in SKIPPED_DIRS and not d.startswith((".huhang-backup-", ".restore-"))
            ]
        dirs.sort()
        for name in sorted(files):
            path = here / name
            if path in skip or _is_key(path, data_dir) or name.endswith(".partial"):
                continue
            if path.is_file() and not path.is_symlink():
                yield path


def _sqlite_files() -> set[Path]:
    if connection.vendor != "sqlite":
        return set()
    name = Path(str(settings.DATABASES["default"]["NAME"])).resolve()
    return {Path(f"{name}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")}


@dataclass
class BackupResult:
    path: Path
    engine: str
    files: int
    size: int
    with_keys: bool


def check_out(out: Path) -> Path:
    """The backup's path, refused when it exists or its directory does not."""
    out = out.expanduser().resolve()
    if out.exists():
        raise BackupError(f"{out} exists: choose a new file name")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory")
    return out


def backup(out: Path, *, with_keys: bool = False, say: Say = _quiet) -> BackupResult:
    """Write a backup of this installation to `out` (see the module's docstring)."""
    out = check_out(out)
    data_dir = Path(settings.DATA_DIR).resolve()
    kind = engine()
    compressed = out.name.endswith((".gz", ".tgz"))
    partial = out.with_name(out.name + ".partial")
    skip = _sqlite_files() | {out, partial}
    key = field_key_text()
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".huhang-backup-") as tmp:
        try:
            with tarfile.open(partial, "w:gz" if compressed else "w") as tar:
                writer = _Writer(tar)
                dump = Path(tmp) / "database"
                if kind == "sqlite":
                    say("copying the SQLite database (online backup)")
                    sqlite_copy(dump)
                    writer.add_file(SQLITE_MEMBER, dump)
                else:
                    say("dumping the PostgreSQL database (pg_dump)")
                    _pg_dump(dump)
                    writer.add_file(POSTGRES_MEMBER, dump)
                dump.unlink()
                say("copying the data directory")
                for path in _data_files(data_dir, skip):
                    writer.add_file(f"data/{path.relative_to(data_dir).as_posix()}", path)
                if with_keys:
                    for path in sorted(data_dir.iterdir()):
                        if _is_key(path, data_dir) and path.is_file():
                            writer.add_file(f"keys/{path.name}", path)
                    if key and "keys/field_key" not in writer.files:
                        # The key came from the environment: keep it with the backup as a file.
                        writer.add_bytes("keys/field_key", key.encode())
                manifest = {
                    "format": FORMAT,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "engine": kind,
                    "migrations": _migrations(),
                    "with_keys": with_keys,
                    "field_key_check": key_check(key) if key else None,
                    "files": writer.files,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                writer.add_bytes(MANIFEST, body, listed=False)
                files = len(writer.files)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    make_private(partial)
    partial.rename(out)
    return BackupResult(out, kind, files, out.stat().st_size, with_keys)


# --- Reading and restoring ---------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and path.parts[:1] in (("database",), ("data",), ("keys",))
        and len(path.parts) >= 2
    )


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        fh = tar.extractfile(member)
        if fh is None:
            raise KeyError(MANIFEST)
        manifest = json.loads(fh.read())
    except (KeyError, ValueError) as exc:
        raise BackupError("not a Huhang backup: no readable manifest.json") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


def _open(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    try:
        return tarfile.open(archive)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read {archive}: {exc}") from exc


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Extract every member to `staging` and check it against the manifest: nothing missing,
    nothing extra, every size and SHA-256 equal."""
    with _open(archive) as tar:
        manifest = read_manifest(tar)
        expected: dict[str, dict[str, Any]] = manifest.get("files", {})
        seen: set[str] = set()
        for member in tar:
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_name(member.name):
                raise BackupError(f"unexpected member {member.name!r} in the backup")
            if member.name not in expected or member.name in seen:
                raise BackupError(f"{member.name} is not in the manifest")
            seen.add(member.name)
            target = staging / member.name
            target.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"cannot read {member.name}")
            digest = hashlib.sha256()
            size = 0
            with open(target, "wb") as fh:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    fh.write(chunk)
            want = expected[member.name]
            if size != want.get("size") or digest.hexdigest() != want.get("sha256"):
                raise BackupError(f"checksum mismatch: {member.name} is damaged")
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(f"the backup lacks {missing[0]} (and {len(missing) - 1} more)")
    return manifest


def verify(archive: Path) -> dict[str, Any]:
    """Check every member of `archive` against its manifest without restoring anything."""
    with tempfile.TemporaryDirectory(prefix="huhang-verify-") as tmp:
        return _unpack(archive, Path(tmp))


def _occupants(data_dir: Path, ignore: Path | None) -> list[str]:
    if not data_dir.exists():
        return []
    return sorted(p.name for p in data_dir.iterdir() if p.name not in STARTUP_FILES and p != ignore)


def _pg_tables() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def check_target(kind: str, *, staging: Path | None = None) -> None:
    """Refuse to restore over anything: a data directory with content, a database with tables."""
    data_dir = Path(settings.DATA_DIR)
    occupants = _occupants(data_dir, staging)
    if occupants:
        shown = ", ".join(occupants[:5]) + (" ..." if len(occupants) > 5 else "")
        raise BackupError(
            f"the data directory {data_dir} is not empty ({shown}): restore into a new one"
        )
    here = engine()
    if here != kind:
        raise BackupError(
            f"the backup holds a {kind} database but this installation uses {here}"
            " (set DATABASE_URL accordingly)"
        )
    if here == "sqlite":
        path = Path(str(settings.DATABASES["default"]["NAME"]))
        if path.exists() and path.stat().st_size:
            raise BackupError(f"a database exists at {path}: restore into a new one")
    elif _pg_tables():
        name = settings.DATABASES["default"]["NAME"]
        raise BackupError(f"the PostgreSQL database {name} is not empty: restore into a new one")


@dataclass
class RestoreResult:
    engine: str
    files: int
    keys: list[str]
    key_warnings: list[str]


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    shutil.move(source, target)
    make_private(target)


def key_warnings(manifest: dict[str, Any]) -> list[str]:
    """Whether the field key at hand is the backup's: one line per problem."""
    wanted = manifest.get("field_key_check")
    if not wanted:
        return []
    key = field_key_text()
    if key is None:
        return [
            "the field key is missing: the restored bank accounts cannot be read until it is"
            f" put back ({Path(settings.DATA_DIR) / 'field_key'}, or HUHANG_FIELD_KEY)"
        ]
    if key_check(key) != wanted:
        return ["the field key is not the backup's: the restored bank accounts cannot be read"]
    return []


def restore(archive: Path, *, say: Say = _quiet) -> RestoreResult:
    """Restore `archive` into this installation's (empty) data directory and database."""
    archive = archive.expanduser().resolve()
    data_dir = private_dir(Path(settings.DATA_DIR))
    with _open(archive) as tar:
        manifest = read_manifest(tar)
    kind = str(manifest.get("engine"))
    check_target(kind)
    staging = Path(tempfile.mkdtemp(dir=data_dir, prefix=".restore-"))
    try:
        say("checking the backup's checksums")
        manifest = _unpack(archive, staging)
        check_target(kind, staging=staging)  # nothing appeared meanwhile
        say(f"loading the {kind} database")
        if kind == "sqlite":
            target = Path(str(settings.DATABASES["default"]["NAME"]))
            connection.close()
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            _place(staging / SQLITE_MEMBER, target)
        else:
            connection.close()
            _run(
                [
                    _pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={settings.DATABASES['default']['NAME']}",
                    str(staging / POSTGRES_MEMBER),
                ]
            )
        say("putting the files in place")
        files = 0
        for path in sorted((staging / "data").rglob("*")):
            if path.is_file():
                _place(path, data_dir / path.relative_to(staging / "data"))
                files += 1
        keys = []
        for path in sorted((staging / "keys").glob("*")):
            _place(path, data_dir / path.name)
            keys.append(path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(kind, files, keys, key_warnings(manifest))
