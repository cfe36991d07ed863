"""Typed environment helpers that fail loudly.

Every setting read from the environment goes through these, so that a typo in a value stops the
process at start-up with a message naming the variable, instead of running half-configured.
A secret may also be given as ``NAME_FILE`` pointing to a file that holds it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from huhang.core.filemodes import private_dir, private_umask

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name}: {exc}") from exc
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    return value


def first_set(*names: str) -> str:
    """The first of `names` that is set (as NAME or NAME_FILE), else the first: a renamed
    variable keeps its old name working as an alias."""
    for name in names:
        if name in os.environ or f"{name}_FILE" in os.environ:
            return name
    return names[0]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, default).strip().lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """The one directory the installation writes to (HUHANG_DATA_DIR, default ./var), 0700.

    Called once while the settings load: it also sets the process's umask, so that every file
    the application writes in it is 0600 (core.filemodes)."""
    private_umask()
    return private_dir(Path(env_str("HUHANG_DATA_DIR", "var")).expanduser().resolve())


def persistent_secret(path: Path, value: str | None = None) -> str:
    """A secret generated once and kept in the data directory (mode 0600)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = value or secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    return value
