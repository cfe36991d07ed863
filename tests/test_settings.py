"""Settings come from the environment, fail loudly, and keep everything in the data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from huhang.core import env


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("HUHANG_X_BOOL", "maybe")
    monkeypatch.setenv("HUHANG_X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="HUHANG_X_BOOL"):
        env.env_bool("HUHANG_X_BOOL")
    with pytest.raises(ImproperlyConfigured, match="HUHANG_X_INT"):
        env.env_int("HUHANG_X_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="HUHANG_X_MISSING"):
        env.env_str("HUHANG_X_MISSING")


def test_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    monkeypatch.setenv("HUHANG_X_SECRET_FILE", str(secret))
    assert env.env_str("HUHANG_X_SECRET") == "s3cr3t"


def test_secret_key_is_generated_once_and_kept(tmp_path):
    path = tmp_path / "secret_key"
    first = env.persistent_secret(path)
    assert len(first) >= 50
    assert env.persistent_secret(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_defaults_for_the_embedded_case():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.DEBUG is False
    assert Path(settings.MEDIA_ROOT).is_relative_to(settings.DATA_DIR)


def _settings_in_subprocess(data_dir: Path, code: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    environ.update(HUHANG_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="huhang.settings")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; {code}",
        ],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_two_data_directories_are_two_installations(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    code = "print(settings.DATABASES['default']['NAME'], settings.SECRET_KEY)"
    db1, key1 = _settings_in_subprocess(one, code).split()
    db2, key2 = _settings_in_subprocess(two, code).split()
    assert db1.startswith(str(one)) and db2.startswith(str(two))
    assert key1 != key2
    assert (one / "secret_key").exists()
    # Asking again gives the same key: it was kept, not regenerated.
    assert _settings_in_subprocess(one, code).split()[1] == key1


def test_huhang_command_is_manage_py(tmp_path):
    huhang = Path(sys.executable).with_name("huhang")
    if not huhang.exists():
        pytest.skip("the huhang console script is not installed in this environment")
    drop = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    environ = {k: v for k, v in os.environ.items() if k not in drop}
    environ["HUHANG_DATA_DIR"] = str(tmp_path)
    out = subprocess.run(
        [str(huhang), "help"], env=environ, capture_output=True, text=True, check=True
    )
    assert "migrate" in out.stdout and "demo_data" in out.stdout
