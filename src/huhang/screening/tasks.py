"""Background tasks of the screening: a screening requested from the screening page."""

from __future__ import annotations

from django_tasks import task

from huhang.core.context import acting_from
from huhang.screening.models import ScreeningRun
from huhang.screening.runs.services import screen_execute


@task()
def screen_task(run_id: int) -> None:
    """Execute a queued run for the officer who requested it (audited as a task)."""
    run = ScreeningRun.objects.select_related("started_by").get(pk=run_id)
    with acting_from(None, "task"):
        screen_execute(run=run, by=run.started_by)
