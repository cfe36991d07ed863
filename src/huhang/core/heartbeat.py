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

The kernel knows no app: the apps hand their sweepers in from their AppConfig.ready.
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

from django.conf import settings
from django.db import connections
from django.utils import timezone

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
