"""A run whose process stopped fails visibly and lets the next run go (issue 12, part 5).

A killed worker (SIGKILL, a crash) leaves its run in flight with a heartbeat that no longer
moves: after HUHANG_TASK_STALE_SECONDS any sweep (the next request, a live worker's beat,
/healthz) marks it failed. A process asked to stop (Ctrl-C = SIGINT, SIGTERM) fails its run
itself before it ends: the signals are really raised here, in this process."""

from __future__ import annotations

import os
import signal
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from huhang.core import heartbeat
from huhang.core.models import WorkerBeat
from huhang.screening.models import Lead, RunStatus, ScreeningRun
from huhang.screening.runs.services import screen_execute, screen_request, screen_run
from tests.screening.conftest import AS_OF
from tests.screening.test_runs import _dfuc


def _killed_while_running(users) -> ScreeningRun:
    """A run its worker took (running, one beat) and then died with: the heartbeat stops."""
    run = screen_request(by=users["bureau"], as_of=AS_OF)
    ScreeningRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, stage="linkage", reported_at=timezone.now()
    )
    return run


def test_a_killed_worker_run_fails_within_two_minutes_and_the_next_starts(feeds, users):
    _dfuc(feeds)
    dead = _killed_while_running(users)
    stale = settings.HUHANG_TASK_STALE_SECONDS
    # A live worker beats at least every HUHANG_HEARTBEAT_SECONDS: the stale limit plus one
    # beat stays under two minutes.
    assert stale + settings.HUHANG_HEARTBEAT_SECONDS <= 120
    with time_machine.travel(timezone.now() + timedelta(seconds=stale - 5), tick=False):
        assert heartbeat.sweep() == 0  # still within its heartbeat: it may be alive
    with time_machine.travel(timezone.now() + timedelta(seconds=stale + 1), tick=False):
        assert heartbeat.sweep() == 1
        run = screen_run(by=users["bureau"], as_of=AS_OF)
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and "后台进程已停止" in dead.error
    assert dead.finished_at is not None
    assert run.status == RunStatus.DONE and Lead.objects.get().run == run


def test_a_live_worker_beat_sweeps_the_dead_runs(feeds, users):
    """The worker's own beat (what `huhang db_worker` runs every HUHANG_HEARTBEAT_SECONDS)
    records the worker and fails the run of a worker that died, without any new request."""
    _dfuc(feeds)
    dead = _killed_while_running(users)
    later = timezone.now() + timedelta(seconds=settings.HUHANG_TASK_STALE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        heartbeat.worker_beat("host:42")
        assert heartbeat.last_worker_seen() == timezone.now()
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED
    assert WorkerBeat.objects.get().worker == "host:42"


def test_a_run_keeps_beating_while_a_long_stage_works(feeds, users):
    """The heartbeat thread touches the run's row while the main thread is busy: a slow stage
    is not taken for dead. (The beat here is one function call; the thread is real.)"""
    beats: list[int] = []
    seen = threading.Event()

    def beat() -> None:
        beats.append(1)
        if len(beats) >= 3:
            seen.set()

    with heartbeat.beating(beat, every=0.01):
        assert seen.wait(10)
    count = len(beats)
    seen.wait(0.05)
    assert len(beats) == count  # stopped with the block


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_process_fails_its_run_at_once(feeds, users, signum):
    """Ctrl-C (SIGINT) or SIGTERM while `huhang screen` runs: the run is failed with the
    reason before the process ends, and the next screening starts without waiting."""
    _dfuc(feeds)
    run = screen_request(by=users["bureau"], as_of=AS_OF)
    before = signal.getsignal(signal.SIGTERM)

    def progress(done: int, total: int, label: str) -> None:
        if label == "linkage":
            os.kill(os.getpid(), signum)

    with heartbeat.stop_on_signals(), pytest.raises(KeyboardInterrupt):
        screen_execute(run=run, by=users["bureau"], progress=progress)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "进程被停止" in run.error
    assert not Lead.objects.exists()
    # The handlers are back as they were.
    assert signal.getsignal(signal.SIGTERM) is before
    assert screen_run(by=users["bureau"], as_of=AS_OF).status == RunStatus.DONE


@pytest.mark.django_db(transaction=True)  # the worker closes its connections between polls
def test_huhang_db_worker_is_the_worker_with_a_heartbeat(settings):
    """`huhang db_worker` is core's command (django_tasks_db's worker plus the heartbeat): run
    in batch mode it records itself, sweeps, and records when it stopped."""
    from django.core.management import call_command, get_commands

    assert get_commands()["db_worker"] == "huhang.core"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker installs its own SIGINT/SIGTERM handlers: give the test process its own back.
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    beat = WorkerBeat.objects.get()
    assert beat.stopped_at is not None and beat.seen_at <= beat.stopped_at
    assert heartbeat.last_worker_seen() is None  # it stopped: no live worker
