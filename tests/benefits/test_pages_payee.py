"""A child's payee page: set the payee; the account is masked everywhere on the page."""

from __future__ import annotations

import pytest

from huhang.benefits.models import Payee
from huhang.core import crypto

ACCOUNT = "6217000000012345678"


def url(child) -> str:
    return f"/benefits/children/{child.pk}/payee/"


def form(**overrides) -> dict:
    return {
        "name": "王秀英",
        "relation": "祖母",
        "bank": "中国建设银行包头分行",
        "account": ACCOUNT,
        "valid_from": "2026-03-01",
        **overrides,
    }


def test_bureau_sets_a_payee_and_sees_it_masked(users, children, login):
    client = login(users["bureau"])
    child = children["xiaohai"]
    response = client.post(url(child), form(account="6217 0000 0001 2345 678"))
    assert response.status_code == 302 and response["Location"] == url(child)
    payee = Payee.objects.get(child=child)
    assert payee.name == "王秀英" and payee.account_last4 == "5678"
    assert crypto.decrypt(payee.account_cipher) == ACCOUNT and ACCOUNT not in payee.account_cipher
    html = client.get(url(child)).content.decode()
    assert "*** **** **** **** 5678" in html
    assert ACCOUNT not in html and "000000012345678" not in html
    assert "王秀英" in html and "祖母" in html and "中国建设银行包头分行" in html
    assert "现用" in html


def test_the_newest_payee_in_force_is_current(users, children, login):
    client = login(users["bureau"])
    child = children["xiaohai"]
    client.post(url(child), form(valid_from="2026-01-01"))
    client.post(
        url(child), form(name="李建国", account="6222000011112222", valid_from="2026-02-01")
    )
    payees = client.get(url(child)).context["payees"]
    assert [p.name for p in payees] == ["李建国", "王秀英"]
    assert [p.current for p in payees] == [True, False]
    assert payees[0].masked_account == "**** **** **** 2222"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"account": "12ab5678"}, "银行账号应为8到30位数字"),
        ({"account": "1234567"}, "银行账号应为8到30位数字"),
        ({"name": ""}, "这个字段是必填项"),
        ({"bank": "  "}, "这个字段是必填项"),
        ({"valid_from": "2026-02-30"}, "输入一个有效的日期"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(overrides, message, users, children, login):
    response = login(users["bureau"]).post(url(children["xiaohai"]), form(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert not Payee.objects.exists()
    # The typed account is never sent back to the browser.
    assert ACCOUNT not in html and "12ab5678" not in html


def test_supervisor_reads_its_street_only_and_cannot_set(users, children, login):
    client = login(users["supervisor"])
    response = client.get(url(children["xiaohai"]))
    assert response.status_code == 200 and response.context["form"] is None
    assert client.post(url(children["xiaohai"]), form()).status_code == 403
    assert client.get(url(children["village"])).status_code == 404
    assert not Payee.objects.exists()


@pytest.mark.parametrize("role", ["director", "socialworker", "partner", "dataofficer"])
def test_roles_without_benefits_get_403(role, users, children, login):
    client = login(users[role])
    assert client.get(url(children["xiaohai"])).status_code == 403
    assert client.post(url(children["xiaohai"]), form()).status_code == 403


def test_auditor_cannot_open_a_childs_page(users, children, login):
    # The auditor reads figures, not children's archives: the child does not exist for it.
    assert login(users["auditor"]).get(url(children["xiaohai"])).status_code == 404


def test_unknown_child_is_404(users, children, login):
    assert login(users["bureau"]).get("/benefits/children/999999/payee/").status_code == 404


def test_wrong_method_405(users, children, login):
    assert login(users["bureau"]).put(url(children["xiaohai"])).status_code == 405
