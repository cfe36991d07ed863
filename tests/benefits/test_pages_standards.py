"""Programmes and standards page: standards over time, setting one in yuan parsed exactly, the
back-dated warning with its confirmation step, refusals (nothing saved), roles and methods."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from huhang.benefits import services
from huhang.benefits.dashboard import selectors as dashboard
from huhang.benefits.models import Standard
from tests.factories.benefits import PayrollRunFactory

# "Now" for these tests: 15 March 2026, Beijing time.
NOW = datetime(2026, 3, 15, 10, 0).astimezone()
LIST = "/benefits/"
SET = "/benefits/standards/new/"


def form(**overrides) -> dict:
    return {
        "programme": "orphan-home",
        "effective_from": "2026-07",
        "amount": "1350.50",
        "note": "内民政发〔2026〕3号",
        **overrides,
    }


def amounts(programme="orphan-home") -> dict[str, int]:
    return {
        f"{s.effective_from:%Y-%m}": s.amount_fen
        for s in Standard.objects.filter(programme_id=programme)
    }


def test_programmes_show_their_standards_over_time(users, standards, login):
    response = login(users["bureau"]).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("孤儿基本生活费（社会散居）", "福彩圆梦·孤儿助学", "金秋助学", "dfuc"):
        assert text in html
    section = html[html.index('id="programme-orphan-home"') :].split("</section>")[0]
    assert "1,200.00" in section and "1,300.00" in section
    assert "2025-01" in section and "2026-01" in section
    assert "bureau" in section  # who set it
    assert "同步资格" in html and "设定标准" in html


@pytest.mark.parametrize("role", ["supervisor", "auditor"])
def test_readers_see_standards_without_the_buttons(role, users, standards, login):
    response = login(users[role]).get(LIST)
    assert response.status_code == 200
    assert "1,300.00" in response.content.decode()
    assert SET not in response.content.decode()


@pytest.mark.parametrize("role", ["director", "socialworker", "partner", "dataofficer"])
def test_roles_without_benefits_get_403(role, users, login):
    client = login(users[role])
    assert client.get(LIST).status_code == 403
    assert client.get(SET).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "auditor"])
def test_only_the_bureau_sets_standards(role, users, login):
    client = login(users[role])
    assert client.get(SET).status_code == 403
    assert client.post(SET, form()).status_code == 403
    assert not Standard.objects.exists()


def test_wrong_methods_405(users, login):
    client = login(users["bureau"])
    assert client.post(LIST).status_code == 405
    assert client.put(SET).status_code == 405
    assert client.delete(SET).status_code == 405


@time_machine.travel(NOW, tick=False)
def test_a_future_month_is_saved_at_once_exactly(users, standards, login):
    response = login(users["bureau"]).post(SET, form())
    assert response.status_code == 302
    assert amounts()["2026-07"] == 135050
    saved = Standard.objects.get(programme_id="orphan-home", effective_from=date(2026, 7, 1))
    assert saved.set_by == users["bureau"] and saved.note == "内民政发〔2026〕3号"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("1350.5", 135050),
        ("1,350.50", 135050),
        ("10000", 1000000),
        ("0.01", 1),
        ("1300.00元", 130000),
    ],
)
def test_amounts_are_parsed_exactly(typed, fen, users, home, login):
    login(users["bureau"]).post(SET, form(amount=typed))
    assert amounts()["2026-07"] == fen


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "1350.505"}, "金额最多保留两位小数"),
        ({"amount": "0"}, "金额必须大于零"),
        ({"amount": "0.00"}, "金额必须大于零"),
        ({"amount": "-100"}, "金额必须大于零"),
        ({"amount": "1e3"}, "请填写金额"),
        ({"amount": "一千"}, "请填写金额"),
        ({"amount": "99999999"}, "金额过大"),
        ({"amount": ""}, "这个字段是必填项"),
        ({"effective_from": "2026-13"}, "请按“年-月”填写月份"),
        ({"effective_from": "March"}, "请按“年-月”填写月份"),
        ({"effective_from": "1999-12"}, "月份须在 2000-01 至 2099-12 之间"),
        ({"programme": "nonsense"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    overrides, message, users, home, login
):
    response = login(users["bureau"]).post(SET, form(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Standard.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_back_dated_month_asks_for_confirmation_first(users, standards, login):
    client = login(users["bureau"])
    response = client.post(SET, form(effective_from="2026-02", amount="1350.50"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "追溯调整，请确认" in html and "补发差额" in html and "确认保存" in html
    assert "2026-02" not in amounts()  # nothing saved yet
    token = response.context["form"]["confirmed"].value()
    assert token == "orphan-home:2026-02:135050"
    response = client.post(SET, form(effective_from="2026-02", amount="1350.50", confirmed=token))
    assert response.status_code == 302
    assert amounts()["2026-02"] == 135050
    follow = client.get(LIST)
    assert "下一次发放将补发差额" in follow.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_confirmation_holds_only_for_the_values_it_was_shown(users, standards, login):
    client = login(users["bureau"])
    token = "orphan-home:2026-02:135050"
    response = client.post(SET, form(effective_from="2026-02", amount="1400", confirmed=token))
    assert response.status_code == 200
    assert "追溯调整，请确认" in response.content.decode()
    assert "2026-02" not in amounts()


@time_machine.travel(NOW, tick=False)
def test_this_month_already_paid_is_back_dated_too(users, bureau2, entitled, standards, login):
    PayrollRunFactory(
        created_by=users["bureau"], programme=standards, month=date(2026, 3, 1), computed=True
    )
    response = login(users["bureau"]).post(SET, form(effective_from="2026-03"))
    html = response.content.decode()
    assert response.status_code == 200 and "追溯调整，请确认" in html
    assert "已有 2 笔发放明细（2 名儿童）" in html  # March only: January and February stay


@time_machine.travel(NOW, tick=False)
def test_a_lowered_back_dated_standard_says_nothing_is_clawed_back(users, standards, login):
    response = login(users["bureau"]).post(SET, form(effective_from="2026-02", amount="1000"))
    assert "已发金额不追回" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_form_can_be_opened_for_one_programme(users, home, login):
    response = login(users["bureau"]).get(SET, {"programme": "dfuc"})
    assert response.status_code == 200
    assert response.context["form"]["programme"].value() == "dfuc"


def test_service_refusal_is_shown_on_the_form(users, home, login, monkeypatch):
    from huhang.core.exceptions import DomainError

    def refuse(**kwargs):
        raise DomainError("标准须从某月1日起生效。", field="effective_from")

    monkeypatch.setattr(services, "standard_set", refuse)
    response = login(users["bureau"]).post(SET, form(effective_from="2099-01"))
    assert response.status_code == 200
    assert "标准须从某月1日起生效" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_corrected_month_keeps_its_history(users, standards, login):
    client = login(users["bureau"])
    response = client.post(SET, form(effective_from="2026-01", amount="1350"))
    token = response.context["form"]["confirmed"].value()
    client.post(SET, form(effective_from="2026-01", amount="1350", confirmed=token))
    rows = Standard.objects.filter(programme_id="orphan-home", effective_from=date(2026, 1, 1))
    assert sorted(rows.values_list("revision", "amount_fen")) == [(1, 130000), (2, 135000)]
    html = client.get(LIST).content.decode()
    section = html[html.index('id="programme-orphan-home"') :].split("</section>")[0]
    assert "第2次修订" in section and "已更正" in section and "1,350.00" in section
    programmes = {p.code: p for p in client.get(LIST).context["programmes"]}
    assert programmes["orphan-home"].current.amount_fen == 135000


@time_machine.travel(NOW, tick=False)
def test_a_corrected_month_pays_its_difference_on_the_dashboard(
    users, bureau2, entitled, standards
):
    PayrollRunFactory(
        created_by=users["bureau"],
        programme=standards,
        month=date(2026, 1, 1),
        approved=True,
        approver=bureau2,
    )
    services.standard_set(
        by=users["bureau"], programme=standards, effective_from=date(2026, 1, 1), amount_fen=135000
    )
    board = dashboard.dashboard(user=users["bureau"], month=date(2026, 1, 1))
    rows = board.arrears[0:10]
    assert board.total.entitled == 2 and len(rows) == 2
    assert {r.standard_yuan for r in rows} == {"1,350.00"}
    february = PayrollRunFactory(
        created_by=users["bureau"], programme=standards, month=date(2026, 2, 1), computed=True
    )
    january = february.lines.filter(for_month=date(2026, 1, 1))
    assert {line.amount_fen for line in january} == {5000}  # 补发 50.00 each
