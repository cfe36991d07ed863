"""Before its due day a month is "not yet due": the 按时足额 page shows no 0.0 % and no arrears
(issue 13: on 12-06, before December's due day 12-10, December showed 0.0 % and 16 children
in arrears); after the due day the same month's figures and arrears are shown."""

from __future__ import annotations

from datetime import date, datetime

import time_machine

from huhang.benefits.dashboard import selectors as dashboard
from huhang.benefits.dashboard.selectors import due_date
from huhang.benefits.models import Programme
from tests.benefits.dashboard.conftest import APRIL, CST

URL = "/benefits/dashboard/"


def test_the_month_is_not_yet_due_up_to_its_due_day(users, district):
    day = min(due_date(p, APRIL) for p in Programme.objects.all())
    assert dashboard.dashboard(
        user=users["bureau"], month=APRIL, today=date(2026, 4, 5)
    ).not_yet_due
    assert dashboard.dashboard(user=users["bureau"], month=APRIL, today=day).not_yet_due
    after = date(2026, 4, 28)
    assert not dashboard.dashboard(user=users["bureau"], month=APRIL, today=after).not_yet_due


def test_the_page_before_the_due_day_shows_no_share_and_no_arrears(users, district, login):
    with time_machine.travel(datetime(2026, 4, 5, 9, 0, tzinfo=CST), tick=False):
        html = login(users["bureau"]).get(URL).content.decode()  # the current month
    assert "尚未到发放截止日" in html and "尚未到期" in html
    assert "0.0%" not in html
    assert "欠发名单" not in html and "未足额" not in html
    assert "尚待发放" in html and "王小海" in html  # still to pay, not late


def test_the_page_after_the_due_day_shows_arrears(users, district, login):
    with time_machine.travel(datetime(2026, 4, 28, 9, 0, tzinfo=CST), tick=False):
        html = login(users["bureau"]).get(URL).content.decode()
    assert "尚未到期" not in html
    assert "欠发名单" in html and "0.0%" in html


def test_the_month_input_holds_the_month_the_page_shows(users, district, login):
    with time_machine.travel(datetime(2026, 4, 5, 9, 0, tzinfo=CST), tick=False):
        html = login(users["bureau"]).get(URL).content.decode()
    assert 'type="month" name="month" value="2026-04"' in html
    assert "2026-04" in html[html.index("<h1") : html.index("</h1>")]
