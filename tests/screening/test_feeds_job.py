"""A feed uploaded on the page is imported by the background worker (core.jobs). If the worker
is killed while importing, the job fails within two minutes, the uploaded file is removed, and
the same file can be uploaded again (issue 12, part 5)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huhang.core import heartbeat, jobs
from huhang.core.models import Job, JobStatus
from huhang.screening.feeds.services import feed_import_request
from huhang.screening.models import FeedBatch
from tests.screening.feedfiles import POLICE, csv_bytes, police_row

KID = date(2015, 6, 1)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def _request(users) -> Job:
    upload = SimpleUploadedFile("p.csv", csv_bytes(POLICE, [police_row("王小海", KID)]))
    return feed_import_request(
        by=users["bureau"], source="police", as_of=date(2026, 3, 1), upload=upload
    )


def test_the_job_imports_the_staged_file_and_removes_it(users, data_dir):
    job = _request(users)
    staged = Path(data_dir) / job.params["staged"]
    assert staged.exists() and oct(staged.stat().st_mode & 0o777) == "0o600"
    jobs.job_execute(job.pk)
    job.refresh_from_db()
    batch = FeedBatch.objects.get()
    assert job.status == JobStatus.DONE and job.result["batch"] == batch.pk
    assert job.result_url == f"/screening/feeds/{batch.pk}/"
    assert (batch.accepted, batch.imported_by) == (1, users["bureau"])
    assert not staged.exists()


def test_a_killed_import_fails_and_leaves_no_file(users, data_dir):
    job = _request(users)
    staged = Path(data_dir) / job.params["staged"]
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, reported_at=timezone.now())
    later = timezone.now() + timedelta(seconds=settings.HUHANG_TASK_STALE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert heartbeat.sweep() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "后台进程已停止" in job.error
    assert not staged.exists() and not FeedBatch.objects.exists()
    # Uploaded again, it imports.
    again = _request(users)
    assert jobs.job_execute(again.pk).status == JobStatus.DONE
