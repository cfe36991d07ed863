"""Long work started from a page, run by the background worker with its progress on a `Job` row.

An app registers a *runner* per kind of job (`runner("feed_import", fn)`, from its
AppConfig.ready): `fn(job, step) -> (result, result_url)`, where `step(label, done=None)`
reports progress. A page calls `job_request(...)`: the job is recorded (queued) and handed to
the task backend once the row is committed; the worker calls `job_execute`, which claims the
job (queued → running, so a task delivered twice runs once), keeps its heartbeat
(core.heartbeat) while the runner works, and records the result or the failure (also Ctrl-C,
SIGTERM). The user follows it on the job's page (`core:job_detail`), which polls, and is sent
to the result's page once done. The command line runs the same services in the foreground.

A job whose process died (no heartbeat for HUHANG_TASK_STALE_SECONDS) is marked failed by
`jobs_sweep` (registered with core.heartbeat), and so frees its key for the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tasks import task

from huhang.core import heartbeat
from huhang.core.context import acting_from
from huhang.core.exceptions import DomainError
from huhang.core.models import JOB_IN_FLIGHT, Job, JobStatus

Step = Callable[..., None]
Runner = Callable[[Job, Step], tuple[dict[str, Any], str]]
_RUNNERS: dict[str, Runner] = {}
# What a runner may do once the job is over, whatever the outcome (e.g. remove an uploaded file).
_CLEANUPS: dict[str, Callable[[Job], None]] = {}


def runner(kind: str, fn: Runner, cleanup: Callable[[Job], None] | None = None) -> None:
    """Register the function that executes jobs of `kind` (and what to clean up after)."""
    _RUNNERS[kind] = fn
    if cleanup is not None:
        _CLEANUPS[kind] = cleanup


def job_request(
    *,
    by: Any,  # the acting user (accounts.User; the kernel does not import accounts)
    kind: str,
    title: str,
    params: dict[str, Any],
    key: str = "",
    stages: int = 1,
    busy: str = "",
) -> Job:
    """Record a job (queued) and enqueue it once committed. A job of the same `key` still in
    flight refuses the request with `busy`."""
    if kind not in _RUNNERS:
        raise DomainError(_("未知的后台任务：%(kind)s") % {"kind": kind})
    busy = busy or _("同一项工作正在后台进行，请等它完成。")
    if key:
        heartbeat.sweep()
        if Job.objects.filter(key=key, status__in=JOB_IN_FLIGHT).exists():
            raise DomainError(busy)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                key=key,
                title=title[:200],
                params=params,
                stage_total=max(stages, 1),
                requested_by=by,
            )
    except IntegrityError as exc:
        raise DomainError(busy) from exc
    transaction.on_commit(lambda: job_task.enqueue(job_id=job.pk))
    return job


def job_execute(job_id: int) -> Job:
    """Execute a queued job in this process (the worker's task)."""
    heartbeat.work_start(Job, job_id, refusal=_("该任务已经开始或已结束。"))
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    row = heartbeat.InFlight(job, stopped=_("该任务已被标记为中断。"))
    try:
        try:
            with heartbeat.beating(row.beat):
                result, url = _RUNNERS[job.kind](job, row.step)
        except BaseException as exc:
            row.fail(exc)
            raise
        row.finish(result=result, result_url=url[:200])
    finally:
        if (cleanup := _CLEANUPS.get(job.kind)) is not None:
            cleanup(job)
    job.refresh_from_db()
    return job


@task()
def job_task(job_id: int) -> None:
    """The background task: executes the job, audited as a task. A job that fails has its
    reason on its row; the exception is not raised again (the task backend would only log it
    a second time)."""
    with acting_from(None, "task"):
        try:
            job_execute(job_id)
        except Exception:
            if not Job.objects.filter(pk=job_id, status=JobStatus.FAILED).exists():
                raise


def jobs_sweep(stale_before: datetime) -> int:
    """Fail the running jobs whose process died, and the queued ones no worker took for
    HUHANG_TASK_QUEUED_MINUTES (core.heartbeat); then clean up after them (e.g. the uploaded
    file a feed import was to read)."""
    swept = heartbeat.work_sweep(
        Job,
        stale_before,
        died=_("中断：执行该任务的后台进程已停止（被终止、崩溃或服务器重启）。"),
    )
    for job in Job.objects.filter(pk__in=swept, status=JobStatus.FAILED):
        if (cleanup := _CLEANUPS.get(job.kind)) is not None:
            cleanup(job)
    return len(swept)


def job_for_user(*, user: Any, pk: Any) -> Job:
    """The job if this user started it; 404 otherwise (core.scope's rule for Job)."""
    from huhang.core import scope

    return scope.get(user, Job, pk)
