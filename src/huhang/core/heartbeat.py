"""Heartbeats of background work: a dead run must not block the next one.

Two kinds of beat, both written by a daemon thread while the process lives, whatever the main
thread is busy with (a DuckDB stage can take minutes without reporting):

- a *run* beat: a run in flight (a screening, a feed import, a payroll computation) has its
  `reported_at` touched every HUHANG_HEARTBEAT_SECONDS by the process executing it (`beating`);
- a *worker* beat: `huhang db_worker` keeps a `WorkerBeat` row (`worker_beating`), read by
  /healthz and `huhang check`, and at every beat sweeps the runs of other processes that died.

A run in flight whose beat is older than HUHANG_TASK_STALE_SECONDS died with its process
(SIGKILL, a crash, a power cut): each app registers a *sweeper* (`sweeper`) that marks its stale
runs failed; `sweep()` calls them all. It is called by the live worker at each beat, when a new
run is requested, and by /healthz. A process that is asked to stop (SIGINT, SIGTERM) fails its
run at once (`stop_on_signals`, and the services catch BaseException).

The kernel knows no app: the apps hand their sweepers in from their AppConfig.ready. What the
rows of background work share (`core.models.BackgroundWork`) is written here for all of them:
`work_start` (queued → running), `InFlight` (progress, beat, done, failed) and `work_sweep`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.core.access import claim
from huhang.core.exceptions import DomainError
from huhang.core.models import JOB_IN_FLIGHT, BackgroundWork, JobStatus

logger = logging.getLogger(__name__)

Sweeper = Callable[[datetime], int]
_SWEEPERS: dict[str, Sweeper] = {}


def sweeper(name: str, fn: Sweeper) -> None:
    """Register `fn(stale_before) -> number of runs failed` under `name` (idempotent)."""
    _SWEEPERS[name] = fn


def stale_before() -> datetime:
    """Runs whose last beat is older than this died with their process."""
    return timezone.now() - timedelta(seconds=settings.HUHANG_TASK_STALE_SECONDS)


def sweep() -> int:
    """Mark every stale run failed (each app's sweeper); the number of runs failed."""
    before = stale_before()
    return sum(fn(before) for fn in list(_SWEEPERS.values()))


class _Beat(threading.Thread):
    """Calls `beat()` every `every` seconds until stopped; a failing beat is logged, not fatal
    (a locked SQLite file is simply tried again at the next beat)."""

    def __init__(self, beat: Callable[[], None], every: float) -> None:
        super().__init__(name="huhang-heartbeat", daemon=True)
        self.beat = beat
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    self.beat()
                except Exception:
                    logger.warning("heartbeat failed", exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.every)


@contextlib.contextmanager
def beating(beat: Callable[[], None], every: float | None = None) -> Iterator[None]:
    """Run `beat` in a daemon thread every `every` seconds (HUHANG_HEARTBEAT_SECONDS) while the
    block runs."""
    thread = _Beat(beat, settings.HUHANG_HEARTBEAT_SECONDS if every is None else every)
    thread.start()
    try:
        yield
    finally:
        thread.stop()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def worker_beat(name: str) -> None:
    """One worker beat: the worker's row says it is alive, and the dead runs are swept."""
    from huhang.core.models import WorkerBeat

    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker=name).update(seen_at=now, stopped_at=None)
    if not updated:
        WorkerBeat.objects.create(worker=name, started_at=now, seen_at=now)
    sweep()


@contextlib.contextmanager
def worker_beating(name: str | None = None, every: float | None = None) -> Iterator[str]:
    """A worker's life: beats at once and then every `every` seconds; on exit the row records
    when it stopped."""
    from huhang.core.models import WorkerBeat

    name = name or worker_name()
    worker_beat(name)
    try:
        with beating(lambda: worker_beat(name), every):
            yield name
    finally:
        WorkerBeat.objects.filter(worker=name).update(stopped_at=timezone.now())


def last_worker_seen() -> datetime | None:
    """When a worker was last seen alive (None: never)."""
    from huhang.core.models import WorkerBeat

    return (
        WorkerBeat.objects.filter(stopped_at__isnull=True)
        .order_by("-seen_at")
        .values_list("seen_at", flat=True)
        .first()
    )


class Stopped(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C (SIGINT) so that the run is failed."""


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """In a foreground command: SIGTERM (and SIGHUP) raise `Stopped` in the main thread, as
    SIGINT raises KeyboardInterrupt, so that the service's `except BaseException` marks its run
    failed before the process ends. Outside the main thread this changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame) -> None:
        raise Stopped(signal.strsignal(signum) or str(signum))

    signals = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


# --- The row of a piece of background work (core.models.BackgroundWork) ----------------------


def work_start(model: type[BackgroundWork], pk: int, *, refusal: str, **fields: Any) -> None:
    """queued → running, with its first beat (and `fields`): a task delivered twice runs once,
    the second is refused with `refusal`."""
    claim(
        model._default_manager.filter(pk=pk, status=JobStatus.QUEUED),
        refusal=refusal,
        status=JobStatus.RUNNING,
        reported_at=timezone.now(),
        **fields,
    )


def failure(exc: BaseException) -> str:
    """Why work failed, as its row records it: a refusal's message, the signal or exit that
    stopped the process, or the exception."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return _("中断：进程被停止（%(why)s）。") % {"why": str(exc) or type(exc).__name__}
    return f"{type(exc).__name__}: {exc}"


class InFlight:
    """What the process executing a piece of background work writes on its row. Every write is
    made only while the row is still running: work marked failed meanwhile (taken for dead by
    `sweep`) is no longer this process's to report on or finish, and the write is refused with
    `stopped` (the beat alone is dropped in silence)."""

    def __init__(self, work: BackgroundWork, *, stopped: str) -> None:
        self.work = work
        self.stopped = stopped

    def running(self) -> QuerySet[Any]:
        return type(self.work)._default_manager.filter(pk=self.work.pk, status=JobStatus.RUNNING)

    def update(self, **fields: Any) -> None:
        claim(self.running(), refusal=self.stopped, **fields)

    def step(self, label: str, done: int | None = None) -> None:
        """The stage reached (cut to the field's length) and, if given, how many are done."""
        length = type(self.work)._meta.get_field("stage").max_length
        fields: dict[str, Any] = {"stage": str(label)[:length], "reported_at": timezone.now()}
        if done is not None:
            fields["stage_done"] = min(done, self.work.stage_total)
        self.update(**fields)

    def beat(self) -> None:
        """One heartbeat (`beating(row.beat)`)."""
        self.running().update(reported_at=timezone.now())

    def finish(self, **fields: Any) -> None:
        """running → done, every stage done, with the result's `fields`."""
        now = timezone.now()
        self.update(
            status=JobStatus.DONE,
            stage_done=self.work.stage_total,
            finished_at=now,
            reported_at=now,
            **fields,
        )

    def fail(self, exc: BaseException) -> None:
        """Record why the work failed, unless it is over already (taken for dead meanwhile: that
        reason stands)."""
        type(self.work)._default_manager.filter(pk=self.work.pk, status__in=JOB_IN_FLIGHT).update(
            status=JobStatus.FAILED, error=failure(exc)[:2000] or "?", finished_at=timezone.now()
        )


def work_sweep(model: type[BackgroundWork], stale_before: datetime, *, died: str) -> list[int]:
    """Fail the work of `model` whose process died (`died`: running, but no beat since
    `stale_before`) and the queued work no worker took for HUHANG_TASK_QUEUED_MINUTES; the ids
    of the rows failed."""
    now = timezone.now()
    minutes = settings.HUHANG_TASK_QUEUED_MINUTES
    reasons = (
        (
            model._default_manager.filter(status=JobStatus.RUNNING, reported_at__lt=stale_before),
            died,
        ),
        (
            model._default_manager.filter(
                status=JobStatus.QUEUED, reported_at__lt=now - timedelta(minutes=minutes)
            ),
            _("中断：排队超过 %(n)s 分钟仍没有后台任务进程执行（请检查 huhang db_worker）。")
            % {"n": minutes},
        ),
    )
    swept: list[int] = []
    for stale, reason in reasons:
        ids = list(stale.values_list("pk", flat=True))
        if ids and stale.filter(pk__in=ids).update(
            status=JobStatus.FAILED, finished_at=now, error=reason
        ):
            swept += ids
    return swept
