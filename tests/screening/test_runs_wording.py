"""The screening page speaks to civil servants: the engine is folded under "advanced", and once
a run has finished its page says so (no "排查已开始" left over from the start)."""

from __future__ import annotations

from django.urls import reverse

from huhang.screening.models import ScreeningRun
from tests.screening.test_runs import _dfuc, _start


def test_the_engine_is_under_advanced_options(feeds, users, login):
    _dfuc(feeds)
    html = login(users["bureau"]).get(reverse("screening:run_list")).content.decode()
    start = html[html.index('id="start"') :]
    advanced = start[start.index('<details class="advanced"') : start.index("</details>")]
    assert "DuckDB" in advanced and "计算方式" in advanced
    outside = start.replace(advanced, "")
    assert "DuckDB" not in outside and "Spark" not in outside and "引擎" not in html


def test_a_finished_run_does_not_say_it_has_started(
    feeds, users, login, django_capture_on_commit_callbacks
):
    _dfuc(feeds)
    client = login(users["bureau"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client)
    run = ScreeningRun.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert run.status == "done"
    assert "排查已开始" not in page
    assert run.get_status_display() in page
    assert "DuckDB" not in page
