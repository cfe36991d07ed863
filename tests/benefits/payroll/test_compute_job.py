"""Background jobs started from pages (core.jobs): a feed import and a payroll computation run
by the worker with their progress on the job's page; a job whose process died fails within
two minutes and frees its key; a stopped process fails its job at once; only the requester
sees the job (issue 12, part 5)."""

from __future__ import annotations

import os
import signal
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import TestCase
from django.utils import timezone

from huhang.benefits.payroll import services as payroll
from huhang.core import heartbeat, jobs
from huhang.core.exceptions import DomainError
from huhang.core.models import Job, JobStatus


@pytest.fixture
def draft(users, entitled, standards):
    return payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))


def test_a_computation_runs_as_a_job_and_its_page_follows_it(users, draft, login):
    client = login(users["bureau"])
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        job = payroll.run_compute_request(by=users["bureau"], run=draft)
    assert len(callbacks) == 1  # enqueued once the row is committed
    page = client.get(f"/tasks/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'id="job-progress"' in page
    # One computation of a run at a time.
    with pytest.raises(DomainError, match="正在后台计算"):
        payroll.run_compute_request(by=users["bureau"], run=draft)
    callbacks[0]()  # the worker takes it (the immediate backend runs it now)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["run"] == draft.pk
    draft.refresh_from_db()
    assert draft.status == "computed" and draft.computed_by == users["bureau"]
    polled = client.get(f"/tasks/{job.pk}/", headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == f"/benefits/runs/{draft.pk}/"


def test_a_failed_job_shows_why(users, draft, login, settings):
    settings.HUHANG_PAYROLL_MONTHS_AHEAD = 0
    job = jobs.job_request(
        by=users["bureau"], kind="payroll_compute", title="x", params={"run": draft.pk}
    )
    draft.__class__.objects.filter(pk=draft.pk).update(month=date(2027, 6, 1))
    jobs.job_task.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "发放月份不能晚于" in job.error
    page = login(users["bureau"]).get(f"/tasks/{job.pk}/").content.decode()
    assert 'id="job-error"' in page and "发放月份不能晚于" in page


def test_only_the_requester_sees_a_job(users, draft, login):
    job = payroll.run_compute_request(by=users["bureau"], run=draft)
    for who in ("supervisor", "auditor", "dataofficer"):
        assert login(users[who]).get(f"/tasks/{job.pk}/").status_code == 404


def test_a_job_whose_worker_was_killed_fails_and_frees_its_key(users, draft):
    job = payroll.run_compute_request(by=users["bureau"], run=draft)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, reported_at=timezone.now())
    later = timezone.now() + timedelta(seconds=settings.HUHANG_TASK_STALE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        heartbeat.worker_beat("host:7")  # a live worker's beat sweeps it
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and "后台进程已停止" in job.error
        again = payroll.run_compute_request(by=users["bureau"], run=draft)
    assert again.status == JobStatus.QUEUED


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_worker_fails_its_job_at_once(users, signum):
    def stopping(job, step):
        step("working", 0)
        os.kill(os.getpid(), signum)
        return {}, ""

    jobs.runner("test_stopping", stopping)
    job = jobs.job_request(by=users["bureau"], kind="test_stopping", title="t", params={})
    with heartbeat.stop_on_signals(), pytest.raises(KeyboardInterrupt):
        jobs.job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "进程被停止" in job.error
