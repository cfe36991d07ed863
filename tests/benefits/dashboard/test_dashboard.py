"""按时足额: the dashboard's figures per street against hand-counted data, scoped to the user, in a
fixed number of queries; and a child's payment history for its archive."""

from __future__ import annotations

from datetime import date

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from huhang.benefits import selectors
from huhang.benefits.dashboard import selectors as dashboard
from huhang.benefits.models import Programme
from huhang.benefits.payroll import compute
from huhang.core.dates import this_month
from huhang.core.models import AuditEvent
from tests.benefits.dashboard.conftest import MARCH
from tests.factories.benefits import EntitlementFactory
from tests.factories.registry import ChildFactory, PersonFactory

URL = "/benefits/dashboard/"


def figures(board) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        s.name: (s.entitled, s.on_time, s.in_full, s.on_time_in_full, s.arrears)
        for s in board.streets
    }


def test_figures_per_street_match_the_hand_count(users, district):
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    assert figures(board) == {"友谊大街街道": (5, 1, 2, 1, 3), "昆河镇": (1, 1, 1, 1, 0)}
    total = board.total
    assert (total.entitled, total.on_time, total.in_full, total.on_time_in_full) == (6, 2, 3, 2)
    assert total.on_time_in_full_pct == "33.3%" and total.in_full_pct == "50.0%"
    assert board.streets[0].bar == 20


def test_a_supervisor_sees_its_street_only(users, district):
    board = dashboard.dashboard(user=users["supervisor"], month=MARCH, today=date(2026, 3, 31))
    assert figures(board) == {"友谊大街街道": (5, 1, 2, 1, 3)}
    names = {row.name for row in board.arrears[0:50]}
    assert names == {"陈晨", "刘洋", "赵敏"}


def test_an_auditor_sees_the_whole_district(users, district):
    board = dashboard.dashboard(user=users["auditor"], month=MARCH, today=date(2026, 3, 31))
    assert board.total.entitled == 6


def test_the_due_day_is_counted_in_beijing_time(users, district):
    # 李梅's run left at 07:00 on 11 March in Beijing: late, although it was still the 10th in UTC.
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    street = board.streets[0]
    assert street.in_full - street.on_time_in_full == 1


def test_a_later_due_day_makes_the_late_payment_on_time(users, district):
    Programme.objects.filter(code="dfuc").update(due_day=11)
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    assert figures(board)["友谊大街街道"] == (5, 2, 2, 2, 3)


def test_a_month_without_entitlements_is_empty(users, district):
    board = dashboard.dashboard(user=users["bureau"], month=date(2026, 2, 1))
    assert board.streets == [] and board.total.entitled == 0 and len(board.arrears) == 0


def test_no_payee_agrees_with_the_computation(users, district):
    owed = compute.unpayable(
        programme="orphan-home",
        month=MARCH,
        horizon=MARCH,
        today=date(2026, 3, 31),
        yearly=False,
    )
    board = dashboard.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    no_payee = {r.child_id for r in board.arrears[0:50] if r.reason == "no_payee"}
    assert no_payee == {child_id for child_id, _month, _fen in owed}
    assert no_payee == {district["kids"]["刘洋"].pk}


def test_the_dashboard_runs_a_fixed_number_of_queries(
    users, district, tree, django_assert_num_queries
):
    def count():
        # programmes, audit event (3: lock the chain's head, insert, move the head), figures;
        # then one query per page of arrears
        with django_assert_num_queries(6):
            board = dashboard.dashboard(user=users["bureau"], month=MARCH)
            list(board.arrears[0:20])

    count()
    home = Programme.objects.get(code="orphan-home")
    for n in range(15):
        child = ChildFactory(person=PersonFactory(name=f"新童{n}", years=6), division=tree["c2"])
        EntitlementFactory(child=child, programme=home, starts_on=MARCH)
    count()
    board = dashboard.dashboard(user=users["bureau"], month=MARCH)
    assert board.total.entitled == 21 and len(board.arrears) == 18


def test_the_page_shows_figures_and_arrears(users, district, login, tree):
    response = login(users["bureau"]).get(URL, {"month": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(f'id="street-{tree["street"].code}"') :].split("</tr>")[0]
    assert "友谊大街街道" in row and ">5<" in row and "20.0%" in row
    assert "33.3%" in html  # the total's 按时足额
    for name in ("陈晨", "刘洋", "赵敏"):
        assert name in html
    assert "账户已冻结" in html and "监护情况核查中" in html and "无收款人" in html
    assert AuditEvent.objects.filter(object_type="benefits_dashboard").exists()


def test_the_page_filters_arrears_by_street(users, district, login, tree):
    response = login(users["bureau"]).get(URL, {"month": "2026-03", "street": tree["town"].code})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    response = login(users["bureau"]).get(URL, {"month": "2026-03", "street": tree["street"].code})
    assert response.context["page"].paginator.count == 3


def test_the_page_paginates_arrears(users, district, login, settings):
    settings.HUHANG_PAGE_SIZE = 2
    client = login(users["bureau"])
    first = client.get(URL, {"month": "2026-03"}).context["page"]
    second = client.get(URL, {"month": "2026-03", "page": 2}).context["page"]
    assert len(first) == 2 and len(second) == 1
    assert {r.name for r in [*first, *second]} == {"陈晨", "刘洋", "赵敏"}


def test_supervisor_page_is_limited_to_its_street(users, district, login, tree):
    response = login(users["supervisor"]).get(URL, {"month": "2026-03"})
    html = response.content.decode()
    assert "昆河镇" not in html and "张伟" not in html
    assert [s.name for s in response.context["board"].streets] == ["友谊大街街道"]
    # Another street's code is not a choice: the filter is refused, the figures stay the scope's.
    response = login(users["supervisor"]).get(
        URL, {"month": "2026-03", "street": tree["town"].code}
    )
    assert response.context["street"] == "" and "张伟" not in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(users, district, login, django_assert_num_queries):
    client = login(users["bureau"])
    # session, user, streets (filter), programmes, audit (3), figures, arrears page, user's
    # division (menu), session save (3)
    with django_assert_num_queries(13):
        client.get(URL, {"month": "2026-03"})


def test_a_bad_month_falls_back_to_this_month_with_a_message(users, district, login):
    response = login(users["bureau"]).get(URL, {"month": "2026-13"})
    assert response.status_code == 200
    assert "请按“年-月”填写月份" in response.content.decode()
    assert response.context["board"].month == this_month()


@pytest.mark.parametrize("role", ["director", "socialworker", "partner", "dataofficer"])
def test_roles_without_benefits_get_403(role, users, login):
    assert login(users[role]).get(URL).status_code == 403


def test_wrong_method_405(users, login):
    assert login(users["bureau"]).post(URL).status_code == 405


# --- A child's payment history --------------------------------------------------------------------


def test_child_payments_lists_lines_masked(users, district):
    payments = selectors.child_payments(users["bureau"], district["kids"]["陈晨"])
    assert len(payments) == 1
    p = payments[0]
    assert (p.for_month, p.amount, p.status, p.failure_reason) == (
        MARCH,
        "1,300.00",
        "failed",
        "账户已冻结",
    )
    assert p.account == "**** **** **** 0003" and p.programme == "孤儿基本生活费（社会散居）"


def test_child_payments_follow_the_scope(users, district):
    zhang = district["kids"]["张伟"]
    assert len(selectors.child_payments(users["bureau"], zhang)) == 1
    assert selectors.child_payments(users["supervisor"], zhang) == []  # not its street
    assert selectors.child_payments(users["director2"], zhang) == []  # no benefits.view


def test_child_payments_take_one_query(users, district, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.child_payments(users["bureau"], district["kids"]["王小海"])


def test_the_fragment_renders_for_the_archive(users, district):
    request = RequestFactory().get("/")
    request.user = users["bureau"]
    child = district["kids"]["陈晨"]
    html = render_to_string(
        "benefits/child_payments.html",
        {"payments": selectors.child_payments(users["bureau"], child), "child": child},
        request=request,
    )
    assert "保障金发放记录" in html and "2026-03" in html and "账户已冻结" in html
    assert "**** **** **** 0003" in html and "6222000000000003" not in html
    request.user = users["director"]
    assert (
        render_to_string(
            "benefits/child_payments.html", {"payments": [], "child": child}, request=request
        ).strip()
        == ""
    )
