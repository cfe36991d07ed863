"""Entitlements per programme: the list (scoped), 同步资格, 停发 and 恢复 with reasons."""

from __future__ import annotations

from datetime import date

import pytest

from huhang.benefits.models import Entitlement, Suspension
from huhang.core.models import AuditEvent
from tests.factories.benefits import EntitlementFactory
from tests.factories.registry import CategoryFactory

LIST = "/benefits/programmes/orphan-home/entitlements/"
SYNC = "/benefits/entitlements/sync/"


def step(entitlement, name) -> str:
    return f"/benefits/entitlements/{entitlement.pk}/{name}/"


@pytest.fixture
def village_entitled(children, standards):
    """张伟 (河东村, 昆河镇): outside the supervisor's street."""
    return EntitlementFactory(
        child=children["village"], programme=standards, starts_on=date(2026, 1, 1)
    )


def names(response) -> list[str]:
    return [e.child.person.name for e in response.context["page"]]


def test_bureau_lists_every_entitlement_with_dates(users, entitled, village_entitled, login):
    response = login(users["bureau"]).get(LIST)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(["王小海", "李梅", "张伟"])
    html = response.content.decode()
    assert "2026-01" in html and "停发" in html and "同步资格" in html


def test_supervisor_sees_its_street_only(users, entitled, village_entitled, login):
    response = login(users["supervisor"]).get(LIST)
    assert sorted(names(response)) == sorted(["王小海", "李梅"])
    assert "张伟" not in response.content.decode()
    assert SYNC not in response.content.decode()


def test_auditor_reads_the_list_without_archive_links(users, entitled, login):
    response = login(users["auditor"]).get(LIST)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(["王小海", "李梅"])
    assert "/children/" not in response.content.decode().split('id="results"')[1]


def test_the_list_is_audited_and_query_count_is_fixed(
    users, entitled, children, standards, login, django_assert_num_queries
):
    client = login(users["bureau"])
    # session, user, programme, audit (3), count, page (paid sums as subqueries), suspensions
    # (prefetched), programmes (links), user's division (menu), session save (3)
    with django_assert_num_queries(14):
        client.get(LIST)
    EntitlementFactory(child=children["village"], programme=standards, starts_on=date(2026, 1, 1))
    with django_assert_num_queries(14):
        client.get(LIST)
    assert AuditEvent.objects.filter(object_type="entitlement", action="search").exists()


def test_unknown_programme_is_404(users, login):
    assert login(users["bureau"]).get("/benefits/programmes/nope/entitlements/").status_code == 404


@pytest.mark.parametrize("role", ["director", "socialworker", "partner", "dataofficer"])
def test_roles_without_benefits_get_403(role, users, entitled, login):
    client = login(users[role])
    assert client.get(LIST).status_code == 403
    assert client.post(SYNC).status_code == 403
    assert client.get(step(entitled[0], "suspend")).status_code == 403


def test_sync_creates_entitlements_from_approved_categories(users, children, standards, login):
    CategoryFactory(
        child=children["xiaohai"],
        category="orphan",
        approved=True,
        basis="父母双亡",
        effective_from=date(2026, 1, 10),
    )
    client = login(users["bureau"])
    response = client.post(SYNC, {"programme": "orphan-home"})
    assert response.status_code == 302 and response["Location"] == LIST
    entitlement = Entitlement.objects.get(child=children["xiaohai"])
    assert entitlement.programme_id == "orphan-home"
    assert entitlement.starts_on == date(2026, 2, 1)  # the month after approval
    assert "资格已同步：新增 1 条" in client.get(LIST).content.decode()


def test_sync_is_post_only_and_bureau_only(users, login):
    assert login(users["bureau"]).get(SYNC).status_code == 405
    assert login(users["supervisor"]).post(SYNC).status_code == 403
    assert login(users["auditor"]).post(SYNC).status_code == 403


def test_suspend_and_resume_with_reasons(users, entitled, login):
    client = login(users["bureau"])
    entitlement = entitled[0]
    response = client.post(
        step(entitlement, "suspend"), {"from_month": "2026-02", "reason": "监护人失联待核实"}
    )
    assert response.status_code == 302
    suspension = Suspension.objects.get(entitlement=entitlement)
    assert suspension.from_month == date(2026, 2, 1) and suspension.to_month is None
    html = client.get(LIST).content.decode()
    assert "停发中" in html and "监护人失联待核实" in html and "恢复" in html
    response = client.post(
        step(entitlement, "resume"), {"from_month": "2026-04", "reason": "已联系上监护人"}
    )
    assert response.status_code == 302
    suspension.refresh_from_db()
    assert suspension.to_month == date(2026, 3, 1) and suspension.resume_reason == "已联系上监护人"
    html = client.get(LIST).content.decode()
    assert "曾停发 2026-02 至 2026-03" in html and "停发中" not in html.split('id="results"')[1]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("suspend", {"from_month": "2026-02", "reason": ""}, "这个字段是必填项"),
        ("suspend", {"from_month": "2026/02/31", "reason": "x"}, "请按“年-月”填写月份"),
        ("resume", {"from_month": "2026-04", "reason": "已恢复"}, "该资格未停发"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(name, data, message, users, entitled, login):
    response = login(users["bureau"]).post(step(entitled[0], name), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Suspension.objects.exists()


def test_resume_before_the_suspension_is_refused(users, entitled, login):
    client = login(users["bureau"])
    client.post(step(entitled[0], "suspend"), {"from_month": "2026-05", "reason": "核查"})
    response = client.post(step(entitled[0], "resume"), {"from_month": "2026-03", "reason": "误停"})
    assert "恢复月份不能早于停发月份" in response.content.decode()
    assert Suspension.objects.get().to_month is None


def test_suspending_twice_is_refused(users, entitled, login):
    client = login(users["bureau"])
    client.post(step(entitled[0], "suspend"), {"from_month": "2026-02", "reason": "核查"})
    response = client.post(
        step(entitled[0], "suspend"), {"from_month": "2026-03", "reason": "再停"}
    )
    assert "该资格已处于停发状态" in response.content.decode()
    assert Suspension.objects.count() == 1


def test_out_of_scope_entitlement_is_404_for_the_step(users, village_entitled, login):
    # The supervisor cannot suspend (403 first); the bureau can; nobody sees unknown ids.
    assert login(users["supervisor"]).get(step(village_entitled, "suspend")).status_code == 403
    client = login(users["bureau"])
    assert client.get(step(village_entitled, "suspend")).status_code == 200
    assert client.get("/benefits/entitlements/999999/suspend/").status_code == 404


def test_wrong_method_405(users, entitled, login):
    client = login(users["bureau"])
    assert client.post(LIST).status_code == 405
    assert client.put(step(entitled[0], "suspend")).status_code == 405
