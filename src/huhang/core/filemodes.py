"""Who may read what the application writes: only the account it runs as.

Children's data lives in the data directory (the SQLite file and its WAL, documents, Parquet
snapshots, keys). The process's umask is set at start-up (`private_umask`, called by
`core.env.data_dir` while the settings load), so that every file it creates is 0600 and every
directory 0700; the places that create the data files also set the mode explicitly
(`make_private`), because a file may have been created by another process (a restore, a copy)
with a looser mode.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> None:
    """Files created from now on by this process are readable by its own account only."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """`path` as a directory (created when missing) that only this account can enter."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    path.chmod(DIR_MODE)
    return path


def make_private(*paths: Path | str) -> None:
    """Set each existing file in `paths` to 0600 (missing ones are skipped: a WAL file may not
    exist yet)."""
    for path in paths:
        try:
            os.chmod(path, FILE_MODE)
        except FileNotFoundError:
            continue
