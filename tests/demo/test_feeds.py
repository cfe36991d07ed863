"""`huhang demo_data --feeds DIR`: seven files in FEEDS.md's formats that import, with exactly
the bad rows the generator put in rejected, and the stories screening needs."""

from __future__ import annotations

import io
from datetime import date

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from huhang.demo import generator
from huhang.demo.feeds import BAD_ROWS, build
from huhang.screening.feeds.reader import decode
from huhang.screening.feeds.services import feed_import


@pytest.fixture
def demo(db, settings, tmp_path):
    generator.generate("small")
    # Snapshots of these imports go to a directory of their own (after the demo's field key).
    settings.DATA_DIR = tmp_path / "var"


def test_demo_data_feeds_writes_seven_files_that_import(demo, tmp_path):
    out = io.StringIO()
    call_command("demo_data", "--feeds", str(tmp_path / "feeds"), stdout=out)
    files = sorted(p.name for p in (tmp_path / "feeds").iterdir())
    assert files == [
        "assistance.csv",
        "court.csv",
        "disability.xlsx",
        "education.csv",
        "health.csv",
        "justice.csv",
        "police.csv",
    ]
    assert "police.csv" in out.getvalue()
    police = (tmp_path / "feeds" / "police.csv").read_bytes()
    assert decode(police)[0] == "gb18030"
    assert (tmp_path / "feeds" / "education.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "feeds" / "disability.xlsx").read_bytes().startswith(b"PK")
    for source in BAD_ROWS:
        path = next((tmp_path / "feeds").glob(f"{source}.*"))
        result = feed_import(by=None, source=source, path=path)
        assert result.batch.rejected == BAD_ROWS[source], (source, result.errors)
        assert result.batch.accepted > 0, source


def test_feeds_carry_every_story_and_garbled_names(demo):
    feeds = build(as_of=timezone.localdate(), seed=1)
    stories = feeds.stories
    for story in (
        "dfuc_registered",
        "deceased",
        "moved_out",
        "adopted",
        "left_behind",
        "orphan_new",
        "dfuc_new",
        "dfuc_unknown_division",
        "migrant_with_id",
        "migrant_without_id",
        "scholarship",
        "scholarship_after_18",
        "autumn_aid",
    ):
        assert stories[story] >= 1, story
    names = [
        row[0] for source in ("justice", "assistance", "education") for row in feeds.rows[source]
    ]
    names += [row[2] for row in feeds.rows["assistance"]]
    assert any("(" in n or "\u3000" in n for n in names)
    assert any(row[1] == "" for row in feeds.rows["education"])  # pupils without ID numbers


def test_same_seed_same_feeds(demo):
    day = date.today()
    assert build(as_of=day, seed=7).rows == build(as_of=day, seed=7).rows


def test_snapshot_of_the_demo_police_feed_has_parents_and_statuses(demo, tmp_path, settings):
    from huhang.demo.feeds import write_feeds

    paths = write_feeds(tmp_path / "f", as_of=timezone.localdate(), seed=3)
    result = feed_import(by=None, source="police", path=paths["police"])
    table = pq.read_table(settings.DATA_DIR / result.batch.snapshot)
    statuses = set(table["status"].to_pylist())
    assert {"normal", "dead", "moved_out"} <= statuses
    assert any(table["father_id"].to_pylist())
