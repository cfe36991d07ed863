"""Production mode: HUHANG_ENV=production turns every production default on, refuses to start
half-configured, and `huhang check --deploy --fail-level WARNING` comes out clean; every page is
served with a Content-Security-Policy that allows no inline script or style, and no page that may
show a child is cached."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import huhang

HUHANG = Path(sys.executable).with_name("huhang")


def _huhang(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    if not HUHANG.exists():
        pytest.skip("the huhang console script is not installed in this environment")
    drop = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS")
    environ = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("HUHANG_")}
    environ.update(HUHANG_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [str(HUHANG), *args], env=environ, capture_output=True, text=True, timeout=120
    )


def _deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    # The settings alone: the data directory has no database (see tests/core/test_health.py).
    return _huhang(tmp_path, "check", "--system-only", "--deploy", "--fail-level", "WARNING", **env)


def test_check_deploy_passes_in_production_mode(tmp_path):
    key = secrets.token_urlsafe(45)[:60]
    result = _deploy_check(
        tmp_path, HUHANG_ENV="production", HUHANG_SECRET_KEY=key, HUHANG_ALLOWED_HOSTS="hh.example"
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"HUHANG_SECRET_KEY": "x" * 20, "HUHANG_ALLOWED_HOSTS": "hh.example"}, "SECRET_KEY"),
        ({"HUHANG_SECRET_KEY": secrets.token_urlsafe(45)}, "HUHANG_ALLOWED_HOSTS"),
        (
            {
                "HUHANG_SECRET_KEY": secrets.token_urlsafe(45),
                "HUHANG_ALLOWED_HOSTS": "hh.example",
                "HUHANG_DEBUG": "1",
            },
            "HUHANG_DEBUG",
        ),
    ],
    ids=["short-key", "no-hosts", "debug"],
)
def test_production_refuses_to_start_half_configured(tmp_path, env, says):
    result = _deploy_check(tmp_path, HUHANG_ENV="production", **env)
    assert result.returncode != 0
    assert says in result.stderr


def test_the_old_variable_names_still_work(tmp_path):
    key = secrets.token_urlsafe(45)
    result = _deploy_check(tmp_path, HUHANG_ENV="production", SECRET_KEY=key, ALLOWED_HOSTS="h.x")
    assert result.returncode == 0, result.stderr + result.stdout


def test_development_mode_keeps_the_demo_easy():
    """The test settings are the development defaults: plain HTTP on localhost works."""
    assert settings.HUHANG_ENV == "development"
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == 0
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


def test_every_page_carries_a_csp_without_inline_script(users, login, children):
    client = login(users["director"])
    response = client.get(reverse("workbench:child_detail", args=[children["xiaohai"].pk]))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_a_page_that_shows_a_child_is_never_cached(users, login, children):
    client = login(users["director"])
    for url in (
        reverse("workbench:child_detail", args=[children["xiaohai"].pk]),
        reverse("registry:child_list"),
        reverse("registry:child_edit", args=[children["xiaohai"].pk]),
        "/api/children",
    ):
        cache = client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url


# What a CSP without 'unsafe-inline' blocks: a <script> with a body, an on* handler, a style
# attribute or element, a javascript: URL.
_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    found = []
    root = Path(huhang.__file__).parent
    for template in sorted(root.glob("**/templates/**/*.html")):
        text = re.sub(
            r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", template.read_text(), flags=re.S
        )
        for pattern, what in _INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(root)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_api_docs_load_nothing_from_another_origin(users, login):
    html = login(users["bureau"]).get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources
