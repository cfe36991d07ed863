"""Screenings started from the page: queued, executed by the background task (the immediate
backend in tests, after the commit), progress on the run's row, the counts afterwards; one run
in flight at a time; a failure recorded with its reason; a run whose worker died does not block
the next; roles and scope."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.models import AuditEvent
from huhang.screening.models import Lead, RunStatus, ScreeningRun
from huhang.screening.runs.services import screen_execute, screen_request, screen_run, stages
from tests.factories.screening import ScreeningRunFactory
from tests.screening.conftest import AS_OF, AWAY, family, person


def _dfuc(feeds) -> dict:
    fam = feeds.family(family())
    feeds.add("justice", {"name": "父", "id_number": fam["father"]["id_number"],
                          "measure": "imprisoned", "start_date": date(2025, 1, 1)})  # fmt: skip
    feeds.add("disability", {"name": "母", "id_number": fam["mother"]["id_number"],
                             "disability_kind": "physical", "level": 1,
                             "issued_on": date(2020, 1, 1)})  # fmt: skip
    return feeds.commit()


def _start(client, as_of: date = AS_OF, engine: str = "duckdb"):
    return client.post(
        reverse("screening:run_start"), {"as_of": as_of.isoformat(), "engine": engine}
    )


def test_the_page_starts_a_run_that_the_task_executes(
    feeds, users, login, django_capture_on_commit_callbacks
):
    _dfuc(feeds)
    client = login(users["bureau"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _start(client)
    assert len(callbacks) == 1  # the task is enqueued once the run's row is committed
    run = ScreeningRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:run_detail", args=[run.pk])
    assert (run.status, run.as_of, run.root, run.started_by) == (
        RunStatus.DONE,
        AS_OF,
        settings.HUHANG_ROOT_DIVISION,
        users["bureau"],
    )
    assert (run.stage_done, run.stage_total, run.percent) == (len(stages()),) * 2 + (100,)
    assert run.stats["new"] == {"dfuc": 1}
    assert Lead.objects.get().run == run
    event = AuditEvent.objects.get(object_type="screening_run")
    assert (event.username, event.via) == ("bureau", "task")
    page = client.get(response["Location"]).content.decode()
    assert "事实无人抚养儿童" in page and 'id="run-progress"' not in page
    link = f"{reverse('screening:lead_list')}?run={run.pk}&amp;kind=dfuc"
    assert link in page
    leads = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'id="run-filter"' in leads and "王小明" in leads


def test_a_queued_run_shows_its_progress_and_polls(feeds, users, login):
    _dfuc(feeds)
    client = login(users["bureau"])
    # Without the commit callbacks the task is not enqueued: the run waits, as for a worker.
    response = _start(client)
    run = ScreeningRun.objects.get()
    assert run.status == RunStatus.QUEUED and response.status_code == 302
    ScreeningRun.objects.filter(pk=run.pk).update(stage="linkage", stage_done=1)
    fragment = client.get(
        reverse("screening:run_detail", args=[run.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="progress"')
    assert 'hx-trigger="every 2s"' in fragment
    assert f'value="{100 // len(stages())}"' in fragment
    assert "人员比对" in fragment
    # The list shows the run in flight instead of the form.
    listing = client.get(reverse("screening:run_list")).content.decode()
    assert 'id="busy"' in listing and 'action="/screening/runs/start/"' not in listing


def test_one_run_in_flight_at_a_time(feeds, users, login):
    _dfuc(feeds)
    client = login(users["bureau"])
    _start(client)
    response = _start(client)
    assert response.status_code == 400
    assert "已有一次排查正在进行" in response.content.decode()
    assert ScreeningRun.objects.count() == 1
    with pytest.raises(DomainError, match="已有一次排查正在进行"):
        screen_run(by=users["bureau"], as_of=AS_OF)


def test_the_database_refuses_a_second_run_in_flight(feeds, users):
    _dfuc(feeds)
    screen_request(by=users["bureau"], as_of=AS_OF)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningRunFactory(queued=True, as_of=AS_OF, started_by=None)


def test_a_queued_run_no_worker_took_does_not_block_the_next(feeds, users):
    _dfuc(feeds)
    stuck = screen_request(by=users["bureau"], as_of=AS_OF)
    # Still waiting for a worker within the hour: it blocks (it will run).
    soon = timezone.now() + timedelta(minutes=settings.HUHANG_TASK_QUEUED_MINUTES - 1)
    with time_machine.travel(soon, tick=False), pytest.raises(DomainError):
        screen_run(by=users["bureau"], as_of=AS_OF)
    later = timezone.now() + timedelta(minutes=settings.HUHANG_TASK_QUEUED_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        run = screen_run(by=users["bureau"], as_of=AS_OF)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "db_worker" in stuck.error
    assert run.status == RunStatus.DONE


@pytest.mark.parametrize("stage", ["linkage", "store"])
def test_a_run_taken_for_dead_while_it_ran_stores_nothing(feeds, users, stage):
    """A run whose heartbeat stopped for HUHANG_TASK_STALE_SECONDS while it ran (a process
    frozen, not dead): the next request marks the run failed and queues its own. The first worker, still alive, must not then store its leads and
    mark the run done over the failure (two runs would have stored leads side by side)."""
    _dfuc(feeds)
    slow = screen_request(by=users["bureau"], as_of=AS_OF)
    queued = []

    def progress(done: int, total: int, label: str) -> None:
        if label == stage:
            # Counted from now: the stages before this one took their own time.
            later = timezone.now() + timedelta(seconds=settings.HUHANG_TASK_STALE_SECONDS + 1)
            with time_machine.travel(later, tick=False):
                queued.append(screen_request(by=users["bureau"], as_of=AS_OF))

    with pytest.raises(InvalidTransition):
        screen_execute(run=slow, by=users["bureau"], progress=progress)
    slow.refresh_from_db()
    assert slow.status == RunStatus.FAILED and "中断" in slow.error
    assert not Lead.objects.exists()
    assert [r.status for r in queued] == [RunStatus.QUEUED]
    assert not AuditEvent.objects.filter(object_type="screening_run").exists()


def test_a_failed_run_records_its_reason_and_stores_nothing(feeds, users, login):
    batches = _dfuc(feeds)
    run = screen_request(by=users["bureau"], as_of=AS_OF)
    (Path(settings.DATA_DIR) / batches["justice"].snapshot).unlink()  # the snapshot is lost
    with pytest.raises(Exception, match="justice"):
        screen_execute(run=run, by=users["bureau"])
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "justice" in run.error
    assert run.finished_at is not None and not Lead.objects.exists()
    page = login(users["bureau"]).get(reverse("screening:run_detail", args=[run.pk]))
    assert 'id="run-error"' in page.content.decode()
    # A failed run is over: the next one may start, and a failed run is not executed again.
    with pytest.raises(DomainError):
        screen_execute(run=run, by=users["bureau"])
    assert screen_request(by=users["bureau"], as_of=AS_OF).status == RunStatus.QUEUED


def test_bad_input_is_refused_and_records_nothing(feeds, users, login):
    _dfuc(feeds)
    client = login(users["bureau"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert "不能晚于今天" in _start(client, as_of=tomorrow).content.decode()
    assert _start(client, engine="oracle").status_code == 400
    assert not ScreeningRun.objects.exists()


def test_without_feeds_the_page_says_so(tree, users, login):
    client = login(users["bureau"])
    page = client.get(reverse("screening:run_list")).content.decode()
    assert "尚未导入数据" in page and "开始排查</button>" not in page
    response = _start(client)
    assert response.status_code == 400 and "请先导入数据" in response.content.decode()


@pytest.mark.parametrize(
    "who", ["supervisor", "director", "socialworker", "partner", "dataofficer", "auditor"]
)
def test_only_the_bureau_runs_screenings(who, feeds, users, login):
    _dfuc(feeds)
    run = screen_request(by=users["bureau"], as_of=AS_OF)
    client = login(users[who])
    assert client.get(reverse("screening:run_list")).status_code == 403
    assert client.get(reverse("screening:run_detail", args=[run.pk])).status_code == 403
    assert _start(client).status_code == 403
    assert ScreeningRun.objects.count() == 1


def test_unknown_run_is_404_and_wrong_method_405(tree, users, login):
    client = login(users["bureau"])
    assert client.get(reverse("screening:run_detail", args=[999_999])).status_code == 404
    assert client.get(reverse("screening:run_start")).status_code == 405


def test_list_query_count_is_pinned(feeds, users, login, django_assert_num_queries):
    _dfuc(feeds)
    for day in (date(2026, 1, 1), date(2026, 2, 1), AS_OF):
        screen_run(by=users["bureau"], as_of=day)
    client = login(users["bureau"])
    client.get(reverse("screening:run_list"))
    # session, user, the user's division (header), the current batches, the run in flight,
    # count + page of runs (with who started them), the session's save (savepoint, update,
    # release): the same whatever the number of runs.
    with django_assert_num_queries(10):
        response = client.get(reverse("screening:run_list"))
    assert len(re.findall(r'href="/screening/runs/\d+/"', response.content.decode())) == 3


def test_the_leads_of_one_run(feeds, users, login):
    _dfuc(feeds)
    first = screen_run(by=users["bureau"], as_of=AS_OF)
    feeds.add("police", person("吴六", date(2016, 1, 1), hukou=AWAY))
    feeds.commit()
    second = screen_run(by=users["bureau"], as_of=AS_OF)
    assert second.stats["new"] == {"migrant": 1}
    client = login(users["bureau"])
    url = reverse("screening:lead_list")
    only_second = client.get(url, {"run": second.pk}).content.decode()
    assert "吴六" in only_second and "王小明" not in only_second
    assert f'name="run" value="{second.pk}"' in only_second  # kept while filters change
    assert "王小明" in client.get(url, {"run": first.pk}).content.decode()
    assert client.get(url, {"run": "x"}).status_code == 200  # a bad value is ignored
