"""按时足额: the dashboard's figures per street against hand-counted data, scoped to the user, in a
fixed number of queries; and a child's payment history for its archive."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory

from huhang.benefits import compute, selectors, services
from huhang.benefits.models import Entitlement, Programme
from huhang.core.models import AuditEvent
from tests.factories import ChildFactory, PersonFactory

CST = ZoneInfo("Asia/Shanghai")
MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
URL = "/benefits/dashboard/"


def payee(by, child, account):
    services.payee_set(
        by=by,
        child=child,
        name=f"{child.person.name}的监护人",
        relation="祖母",
        bank="中国工商银行包头分行",
        account=account,
        valid_from=date(2026, 1, 1),
    )


def run_through(by, approver, programme, *, exported_at, results=None):
    """A March run computed, approved, exported at `exported_at` (Beijing time) and, when
    `results` is given (line id → failure reason or None), reconciled."""
    run = services.run_create(by=by, programme=programme, month=MARCH)
    services.run_compute(by=by, run=run, today=date(2026, 3, 2))
    services.run_approve(by=approver, run=run)
    with time_machine.travel(exported_at, tick=False):
        services.run_mark_exported(by=by, run=run, fmt="csv")
    if results is not None:
        outcome = {}
        for line in run.lines.select_related("child__person"):
            reason = results.get(line.child.person.name)
            outcome[line.line_id] = (reason is None, reason or "")
        services.run_apply_results(by=by, run=run, results=outcome)
    return run


@pytest.fixture
def district(users, bureau2, tree, children, standards):
    """March 2026, orphan-home and dfuc at 1,300.00, due on the 10th.

    友谊大街街道 (the supervisor's street):
      王小海  orphan-home  exported 10 March 23:30 (Beijing), bank: paid    → on time, in full
      李梅    dfuc         exported 11 March 07:00 (= 10 March 23:00 UTC)  → late, in full
      陈晨    orphan-home  same run as 王小海, bank: failed “账户已冻结”       → arrears: bank failure
      刘洋    orphan-home  no payee                                         → arrears: no payee
      赵敏    orphan-home  suspended from March “监护情况核查中”              → arrears: suspended
    昆河镇:
      张伟    orphan-home  same run as 王小海, bank: paid                    → on time, in full
    """
    bureau = users["bureau"]
    home = standards
    dfuc = Programme.objects.get(code="dfuc")
    services.standard_set(
        by=bureau, programme=dfuc, effective_from=date(2026, 1, 1), amount_fen=130000
    )
    kids = {
        "王小海": children["xiaohai"],
        "李梅": children["c2"],
        "张伟": children["village"],
        "陈晨": ChildFactory(person=PersonFactory(name="陈晨", years=7), division=tree["c1"]),
        "刘洋": ChildFactory(person=PersonFactory(name="刘洋", years=5), division=tree["c2"]),
        "赵敏": ChildFactory(person=PersonFactory(name="赵敏", years=11), division=tree["c1"]),
    }
    entitlements = {}
    for name, child in kids.items():
        programme = dfuc if name == "李梅" else home
        entitlements[name] = Entitlement.objects.create(
            child=child, programme=programme, starts_on=MARCH
        )
    for n, name in enumerate(["王小海", "李梅", "张伟", "陈晨", "赵敏"]):
        payee(bureau, kids[name], f"622200000000{n:04d}")
    services.suspend(
        by=bureau, entitlement=entitlements["赵敏"], from_month=MARCH, reason="监护情况核查中"
    )
    run_through(
        bureau,
        bureau2,
        home,
        exported_at=datetime(2026, 3, 10, 23, 30, tzinfo=CST),
        results={"陈晨": "账户已冻结"},
    )
    run_through(
        bureau,
        bureau2,
        dfuc,
        exported_at=datetime(2026, 3, 11, 7, 0, tzinfo=CST),
        results={},
    )
    return {"kids": kids, "entitlements": entitlements}


def figures(board) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        s.name: (s.entitled, s.on_time, s.in_full, s.on_time_in_full, s.arrears)
        for s in board.streets
    }


def test_figures_per_street_match_the_hand_count(users, district):
    board = selectors.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    assert figures(board) == {"友谊大街街道": (5, 1, 2, 1, 3), "昆河镇": (1, 1, 1, 1, 0)}
    total = board.total
    assert (total.entitled, total.on_time, total.in_full, total.on_time_in_full) == (6, 2, 3, 2)
    assert total.on_time_in_full_pct == "33.3%" and total.in_full_pct == "50.0%"
    assert board.streets[0].bar == 20


def test_a_supervisor_sees_its_street_only(users, district):
    board = selectors.dashboard(user=users["supervisor"], month=MARCH, today=date(2026, 3, 31))
    assert figures(board) == {"友谊大街街道": (5, 1, 2, 1, 3)}
    names = {row.name for row in board.arrears[0:50]}
    assert names == {"陈晨", "刘洋", "赵敏"}


def test_an_auditor_sees_the_whole_district(users, district):
    board = selectors.dashboard(user=users["auditor"], month=MARCH, today=date(2026, 3, 31))
    assert board.total.entitled == 6


def test_the_due_day_is_counted_in_beijing_time(users, district):
    # 李梅's run left at 07:00 on 11 March in Beijing: late, although it was still the 10th in UTC.
    board = selectors.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    street = board.streets[0]
    assert street.in_full - street.on_time_in_full == 1


def test_a_later_due_day_makes_the_late_payment_on_time(users, district):
    Programme.objects.filter(code="dfuc").update(due_day=11)
    board = selectors.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    assert figures(board)["友谊大街街道"] == (5, 2, 2, 2, 3)


def test_a_month_without_entitlements_is_empty(users, district):
    board = selectors.dashboard(user=users["bureau"], month=date(2026, 2, 1))
    assert board.streets == [] and board.total.entitled == 0 and len(board.arrears) == 0


def test_no_payee_agrees_with_the_computation(users, district):
    owed = compute.unpayable(
        programme="orphan-home",
        month=MARCH,
        horizon=MARCH,
        today=date(2026, 3, 31),
        yearly=False,
    )
    board = selectors.dashboard(user=users["bureau"], month=MARCH, today=date(2026, 3, 31))
    no_payee = {r.child_id for r in board.arrears[0:50] if r.reason == "no_payee"}
    assert no_payee == {child_id for child_id, _month, _fen in owed}
    assert no_payee == {district["kids"]["刘洋"].pk}


def test_the_dashboard_runs_a_fixed_number_of_queries(
    users, district, tree, django_assert_num_queries
):
    def count():
        # programmes, audit event, figures; then one query per page of arrears
        with django_assert_num_queries(4):
            board = selectors.dashboard(user=users["bureau"], month=MARCH)
            list(board.arrears[0:20])

    count()
    home = Programme.objects.get(code="orphan-home")
    for n in range(15):
        child = ChildFactory(person=PersonFactory(name=f"新童{n}", years=6), division=tree["c2"])
        Entitlement.objects.create(child=child, programme=home, starts_on=MARCH)
    count()
    board = selectors.dashboard(user=users["bureau"], month=MARCH)
    assert board.total.entitled == 21 and len(board.arrears) == 18


def test_the_page_shows_figures_and_arrears(users, district, login):
    response = login(users["bureau"]).get(URL, {"month": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('id="street-150203001"') :].split("</tr>")[0]
    assert "友谊大街街道" in row and ">5<" in row and "20.0%" in row
    assert "33.3%" in html  # the total's 按时足额
    for name in ("陈晨", "刘洋", "赵敏"):
        assert name in html
    assert "账户已冻结" in html and "监护情况核查中" in html and "无收款人" in html
    assert AuditEvent.objects.filter(object_type="benefits_dashboard").exists()


def test_the_page_filters_arrears_by_street(users, district, login):
    response = login(users["bureau"]).get(URL, {"month": "2026-03", "street": "150203002"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    response = login(users["bureau"]).get(URL, {"month": "2026-03", "street": "150203001"})
    assert response.context["page"].paginator.count == 3


def test_the_page_paginates_arrears(users, district, login, settings):
    settings.HUHANG_PAGE_SIZE = 2
    client = login(users["bureau"])
    first = client.get(URL, {"month": "2026-03"}).context["page"]
    second = client.get(URL, {"month": "2026-03", "page": 2}).context["page"]
    assert len(first) == 2 and len(second) == 1
    assert {r.name for r in [*first, *second]} == {"陈晨", "刘洋", "赵敏"}


def test_supervisor_page_is_limited_to_its_street(users, district, login):
    response = login(users["supervisor"]).get(URL, {"month": "2026-03"})
    html = response.content.decode()
    assert "昆河镇" not in html and "张伟" not in html
    assert [s.name for s in response.context["board"].streets] == ["友谊大街街道"]
    # Another street's code is not a choice: the filter is refused, the figures stay the scope's.
    response = login(users["supervisor"]).get(URL, {"month": "2026-03", "street": "150203002"})
    assert response.context["street"] == "" and "张伟" not in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(users, district, login, django_assert_num_queries):
    client = login(users["bureau"])
    # session, user, streets (filter), programmes, audit, figures, arrears page, user's division
    # (menu), session save (3)
    with django_assert_num_queries(11):
        client.get(URL, {"month": "2026-03"})


def test_a_bad_month_falls_back_to_this_month_with_a_message(users, district, login):
    response = login(users["bureau"]).get(URL, {"month": "2026-13"})
    assert response.status_code == 200
    assert "请按“年-月”填写月份" in response.content.decode()
    assert response.context["board"].month == selectors.this_month()


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
