"""`huhang screen`: one JSON summary on stdout, a progress bar on stderr."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from huhang.core.models import AuditEvent
from huhang.screening.models import Lead
from tests.screening.conftest import ALL_KINDS, rich_dataset


def _screen(*args: str) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("screen", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_screen_every_kind(feeds, tree, users):
    rich_dataset(feeds, tree)
    summary, progress = _screen("--as-of", "2026-03-01", "--user", "bureau")
    assert set(summary["found"]) == ALL_KINDS
    assert summary["new"] == summary["found"]
    assert summary["as_of"] == "2026-03-01" and summary["engine"] == "duckdb"
    assert summary["total"]["new"] == Lead.objects.count()
    assert "linkage" in progress and "[" in progress
    assert AuditEvent.objects.get(object_type="screening_run").via == "cli"
    # Again: all known.
    again, _ = _screen("--as-of", "2026-03-01")
    assert again["new"] == {} and again["unchanged"] == summary["found"]


def test_screen_refuses_without_batches(tree):
    with pytest.raises(CommandError, match="导入"):
        _screen("--as-of", "2026-03-01")


def test_screen_refuses_a_bad_date(tree):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _screen("--as-of", "2026/03/01")
