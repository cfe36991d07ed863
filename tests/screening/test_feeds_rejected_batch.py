"""A batch that accepted no row is kept with its rejected rows but never becomes the source's
current snapshot: the screening goes on with the previous batch (issue 12, part 5)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from huhang.screening.feeds.selectors import current_batches
from huhang.screening.feeds.services import feed_import
from huhang.screening.models import FeedBatch
from tests.factories.screening import FeedBatchFactory
from tests.screening.feedfiles import POLICE, police_row, write_csv

KID = date(2015, 6, 1)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def test_a_batch_with_no_accepted_row_never_becomes_current(db, data_dir, tmp_path):
    good = write_csv(tmp_path / "good.csv", POLICE, [police_row("王小海", KID)])
    first = feed_import(by=None, source="police", path=good, as_of=date(2026, 3, 1)).batch
    assert current_batches() == {"police": first}
    # A later file whose every row is refused (here: every ID number is too short).
    rows = [police_row(f"坏{n}", KID, seq=n, 公民身份号码="1502032015") for n in range(2, 5)]
    bad = write_csv(tmp_path / "bad.csv", POLICE, rows)
    result = feed_import(by=None, source="police", path=bad, as_of=date(2026, 4, 1))
    batch = result.batch
    assert (batch.rows, batch.accepted, batch.rejected) == (3, 0, 3)
    assert batch.snapshot == "" and batch.errors.count() == 3  # kept, for the department
    assert current_batches() == {"police": first}
    assert sorted(p.name for p in Path(data_dir).rglob("*.parquet")) == [Path(first.snapshot).name]


def test_the_database_refuses_a_snapshot_on_an_empty_batch(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedBatchFactory(source="police", rows=3, accepted=0, snapshot="feeds/police/1.parquet")
    assert not FeedBatch.objects.exists()
