"""The row of a piece of background work (core.models.BackgroundWork) as core.heartbeat writes
it: start, progress, beat, done, failure and the sweep of dead work, on a real Job row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from huhang.core import heartbeat
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(users) -> Job:
    return Job.objects.create(
        kind="payroll_compute", title="计算", stage_total=3, requested_by=users["bureau"]
    )


def _running(job: Job) -> heartbeat.InFlight:
    heartbeat.work_start(Job, job.pk, refusal="twice")
    job.refresh_from_db()
    return heartbeat.InFlight(job, stopped="stopped")


def test_work_starts_once(job):
    _running(job)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.in_flight
    with pytest.raises(InvalidTransition, match="twice"):
        heartbeat.work_start(Job, job.pk, refusal="twice")


def test_progress_is_written_while_running_and_done_is_every_stage(job):
    row = _running(job)
    row.step("x" * 150, 9)  # cut to the field and to the stages there are
    job.refresh_from_db()
    assert (len(job.stage), job.stage_done, job.percent) == (100, 3, 100)
    row.step("second")
    job.refresh_from_db()
    assert (job.stage, job.stage_done) == ("second", 3)
    row.finish(result={"n": 1})
    job.refresh_from_db()
    assert (job.status, job.percent, job.result) == (JobStatus.DONE, 100, {"n": 1})
    assert job.finished_at == job.reported_at
    with pytest.raises(InvalidTransition, match="stopped"):
        row.step("after the end")


def test_a_beat_touches_only_running_work(job):
    row = _running(job)
    old = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=job.pk).update(reported_at=old)
    row.beat()
    job.refresh_from_db()
    assert job.reported_at > old
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="dead", reported_at=old)
    row.beat()
    job.refresh_from_db()
    assert job.reported_at == old


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (DomainError("拒绝"), "拒绝"),
        (KeyboardInterrupt(), "中断：进程被停止（KeyboardInterrupt）。"),
        (ValueError("bad"), "ValueError: bad"),
    ],
)
def test_failure_records_why(job, exc, error):
    row = _running(job)
    row.fail(exc)
    job.refresh_from_db()
    assert (job.status, job.error, job.in_flight) == (JobStatus.FAILED, error, False)
    assert job.finished_at is not None


def test_failure_keeps_the_first_reason(job):
    row = _running(job)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="taken for dead")
    row.fail(ValueError("late"))
    job.refresh_from_db()
    assert job.error == "taken for dead"


def test_failed_work_must_say_why(job):
    with pytest.raises(IntegrityError):
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="")


def test_sweep_fails_dead_and_forgotten_work_only(job, users, settings):
    old = timezone.now() - timedelta(minutes=settings.HUHANG_TASK_QUEUED_MINUTES + 1)
    dead = Job.objects.create(kind="k", title="t", requested_by=users["bureau"], key="a")
    alive = Job.objects.create(kind="k", title="t", requested_by=users["bureau"], key="b")
    Job.objects.filter(pk__in=[dead.pk, alive.pk]).update(status=JobStatus.RUNNING)
    Job.objects.filter(pk__in=[job.pk, dead.pk]).update(reported_at=old)
    swept = heartbeat.work_sweep(Job, timezone.now() - timedelta(seconds=1), died="died")
    assert sorted(swept) == sorted([job.pk, dead.pk])
    errors = dict(Job.objects.values_list("pk", "error"))
    assert errors[dead.pk] == "died" and "排队超过" in errors[job.pk] and errors[alive.pk] == ""
