"""End to end in a real browser at 360 px: the bureau starts a screening on a phone; the page
shows it queued and polls; the worker (here: the task called by the test, as `db_worker` would)
executes it; the page turns to the counts by kind without a reload."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from huhang.screening.models import RunStatus, ScreeningRun
from huhang.screening.tasks import screen_task
from tests.conftest import PASSWORD
from tests.e2e.test_browser import assert_fits_viewport, log_in
from tests.screening.conftest import Feeds, family


@pytest.fixture
def queued_tasks(settings):
    """Tasks are stored, not executed: the run waits as it would for a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.mark.browser
def test_bureau_starts_a_screening_and_watches_it_finish(
    phone, live_server, tree, users, queued_tasks
):
    from playwright.sync_api import expect

    feeds = Feeds()
    fam = feeds.family(family())
    feeds.add("court", {"name": "父", "id_number": fam["father"]["id_number"],
                        "judgment": "declared_dead", "judgment_date": date(2024, 1, 1)})  # fmt: skip
    feeds.add("police", {**fam["mother"], "status": "dead", "status_date": date(2023, 5, 1)})
    feeds.rows["police"].remove(fam["mother"])
    feeds.commit()
    try:
        page = phone
        page.goto(f"{live_server.url}/screening/runs/")
        log_in(page, "bureau", PASSWORD)
        expect(page.locator("#batches")).to_contain_text("公安")
        assert_fits_viewport(page)
        page.get_by_role("button", name="开始排查").click()

        progress = page.locator("#progress")
        expect(progress).to_contain_text("排队中")
        expect(page.locator("#run-progress")).to_be_visible()
        run = ScreeningRun.objects.get()
        assert run.status == RunStatus.QUEUED
        assert_fits_viewport(page)

        screen_task.call(run_id=run.pk)  # what the worker does with the queued task

        # The page polls every 2 s and swaps in the result.
        expect(progress).to_contain_text("已完成", timeout=10_000)
        expect(page.locator("#kinds")).to_contain_text("孤儿")
        expect(page.locator("#run-progress")).to_have_count(0)
        assert_fits_viewport(page)
        page.locator("#kinds").get_by_role("link").first.click()
        expect(page.locator("main")).to_contain_text("王小明")
    finally:
        shutil.rmtree(Path(settings.DATA_DIR) / "feeds", ignore_errors=True)
