"""Emergency protection: what is refused (with a clear message, nothing saved), who may do what
(403), and what exists for whom (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huhang.cases.emergency import services
from huhang.cases.models import EmergencyProtection


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def ago(**kwargs):
    return timezone.now().replace(second=0, microsecond=0) - timedelta(**kwargs)


def opening(**overrides) -> dict:
    return {
        "situation": "guardian_refuses",
        "taken_in_at": local(ago(days=3)),
        "placement": "relatives",
        "placement_detail": "舅舅李强家（昆都仑区友谊大街）",
        **overrides,
    }


@pytest.fixture
def open_emergency(users, children):
    """An open emergency for 王小海 (友谊一社区, in the supervisor's street)."""
    return services.emergency_open(
        by=users["bureau"],
        child=children["xiaohai"],
        situation="guardian_unable",
        taken_in_at=ago(days=10),
        placement="rescue",
        placement_detail="包头市未成年人救助保护中心",
    )


@pytest.fixture
def village_emergency(users, children):
    """An open emergency in 河东村 (昆河镇): outside the supervisor's street."""
    return services.emergency_open(
        by=users["bureau"],
        child=children["village"],
        situation="unidentified",
        taken_in_at=ago(days=2),
        placement="rescue",
        placement_detail="包头市未成年人救助保护中心",
    )


# --- refusals --------------------------------------------------------------------------------


def test_a_taking_in_in_the_future_is_refused(users, children, login):
    client = login(users["bureau"])
    later = timezone.now() + timedelta(hours=2)
    response = client.post(
        f"/cases/emergency/new/?child={children['xiaohai'].pk}",
        opening(taken_in_at=local(later)),
    )
    assert response.status_code == 200
    assert "时间不能晚于现在。" in response.content.decode()
    assert not EmergencyProtection.objects.exists()


def test_a_second_open_emergency_for_the_same_child_is_refused(
    users, children, login, open_emergency
):
    client = login(users["supervisor"])
    response = client.post(f"/cases/emergency/new/?child={children['xiaohai'].pk}", opening())
    assert response.status_code == 200
    assert "该儿童已有未解除的临时监护。" in response.content.decode()
    assert EmergencyProtection.objects.filter(child=children["xiaohai"]).count() == 1


def test_after_resolution_a_new_emergency_may_be_opened(users, children, login, open_emergency):
    services.emergency_resolve(
        by=users["bureau"],
        emergency=open_emergency,
        outcome="returned",
        outcome_detail="经评估母亲已具备监护能力，送回",
        resolved_at=ago(days=5),
    )
    client = login(users["supervisor"])
    response = client.post(f"/cases/emergency/new/?child={children['xiaohai'].pk}", opening())
    assert response.status_code == 302
    assert EmergencyProtection.objects.filter(child=children["xiaohai"]).count() == 2


def test_a_resolution_before_the_taking_in_is_refused(users, login, open_emergency):
    client = login(users["bureau"])
    response = client.post(
        f"/cases/emergency/{open_emergency.pk}/resolve/",
        {
            "outcome": "returned",
            "outcome_detail": "送回",
            "resolved_at": local(open_emergency.taken_in_at - timedelta(days=1)),
        },
    )
    assert response.status_code == 200
    assert "解除时间不能早于接收时间。" in response.content.decode()
    open_emergency.refresh_from_db()
    assert open_emergency.is_open and open_emergency.outcome == ""


def test_a_resolution_in_the_future_is_refused(users, login, open_emergency):
    client = login(users["bureau"])
    response = client.post(
        f"/cases/emergency/{open_emergency.pk}/resolve/",
        {
            "outcome": "long_term",
            "outcome_detail": "由民政部门长期监护",
            "resolved_at": local(timezone.now() + timedelta(days=1)),
        },
    )
    assert "时间不能晚于现在。" in response.content.decode()
    open_emergency.refresh_from_db()
    assert open_emergency.is_open


def test_a_log_entry_after_resolution_is_refused(users, login, open_emergency):
    services.emergency_resolve(
        by=users["bureau"],
        emergency=open_emergency,
        outcome="long_term",
        outcome_detail="父母均无法履行监护职责，由民政部门长期监护",
        resolved_at=ago(days=1),
    )
    client = login(users["supervisor"])
    response = client.post(
        f"/cases/emergency/{open_emergency.pk}/log/",
        {"at": local(ago(hours=2)), "party": "court", "note": "补充材料"},
    )
    assert response.status_code == 200
    assert "临时监护已解除，不能再登记协调记录。" in response.content.decode()
    assert not open_emergency.log.exists()


def test_a_second_resolution_is_refused(users, login, open_emergency):
    services.emergency_resolve(
        by=users["bureau"],
        emergency=open_emergency,
        outcome="returned",
        outcome_detail="送回",
        resolved_at=ago(days=2),
    )
    response = login(users["bureau"]).post(
        f"/cases/emergency/{open_emergency.pk}/resolve/",
        {"outcome": "long_term", "outcome_detail": "再次", "resolved_at": local(ago(days=1))},
    )
    assert "该临时监护已解除。" in response.content.decode()
    open_emergency.refresh_from_db()
    assert open_emergency.outcome == "returned"


def test_a_log_entry_before_the_taking_in_or_in_the_future_is_refused(users, login, open_emergency):
    client = login(users["supervisor"])
    url = f"/cases/emergency/{open_emergency.pk}/log/"
    early = local(open_emergency.taken_in_at - timedelta(hours=1))
    response = client.post(url, {"at": early, "party": "police", "note": "报警"})
    assert "协调时间不能早于接收时间。" in response.content.decode()
    late = local(timezone.now() + timedelta(hours=1))
    response = client.post(url, {"at": late, "party": "police", "note": "报警"})
    assert "时间不能晚于现在。" in response.content.decode()
    assert not open_emergency.log.exists()


@pytest.mark.parametrize(
    "field, data",
    [
        ("situation", {"situation": "begging"}),
        ("placement", {"placement": "hotel"}),
        ("placement_detail", {"placement_detail": "  "}),
        ("taken_in_at", {"taken_in_at": "昨天"}),
    ],
)
def test_bad_input_is_refused_on_its_field(users, children, login, field, data):
    response = login(users["bureau"]).post(
        f"/cases/emergency/new/?child={children['xiaohai'].pk}", opening(**data)
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not EmergencyProtection.objects.exists()


def test_only_the_childs_own_cases_can_be_linked(users, children, login):
    from huhang.cases.services import case_open

    other = case_open(by=users["bureau"], child=children["c2"], source="hotline", summary="热线")
    response = login(users["bureau"]).post(
        f"/cases/emergency/new/?child={children['xiaohai'].pk}", opening(case=other.pk)
    )
    assert response.context["form"].errors.get("case")
    own = case_open(by=users["bureau"], child=children["xiaohai"], source="police", summary="警情")
    response = login(users["bureau"]).post(
        f"/cases/emergency/new/?child={children['xiaohai'].pk}", opening(case=own.pk)
    )
    assert response.status_code == 302
    assert EmergencyProtection.objects.get().case == own


# --- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["director", "socialworker", "partner", "dataofficer", "auditor"])
def test_other_roles_may_not_open(users, children, login, role):
    client = login(users[role])
    url = f"/cases/emergency/new/?child={children['xiaohai'].pk}"
    assert client.get(url).status_code == 403
    assert client.post(url, opening()).status_code == 403
    assert not EmergencyProtection.objects.exists()


@pytest.mark.parametrize("role", ["director", "socialworker", "partner", "dataofficer", "auditor"])
def test_other_roles_may_not_log(users, login, open_emergency, role):
    url = f"/cases/emergency/{open_emergency.pk}/log/"
    data = {"at": local(ago(hours=1)), "party": "police", "note": "报警"}
    assert login(users[role]).post(url, data).status_code == 403
    assert not open_emergency.log.exists()


@pytest.mark.parametrize("role", ["supervisor", "director", "socialworker", "partner", "auditor"])
def test_only_the_bureau_resolves(users, login, open_emergency, role):
    client = login(users[role])
    url = f"/cases/emergency/{open_emergency.pk}/resolve/"
    data = {"outcome": "returned", "outcome_detail": "送回", "resolved_at": local(ago(hours=1))}
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    open_emergency.refresh_from_db()
    assert open_emergency.is_open


def test_the_supervisor_opens_and_logs_but_does_not_see_the_resolve_button(
    users, login, open_emergency
):
    client = login(users["supervisor"])
    html = client.get(f"/cases/emergency/{open_emergency.pk}/").content.decode()
    assert f"/cases/emergency/{open_emergency.pk}/log/" in html
    assert f"/cases/emergency/{open_emergency.pk}/resolve/" not in html
    response = client.post(
        f"/cases/emergency/{open_emergency.pk}/log/",
        {"at": local(ago(days=1)), "party": "family", "note": "联系到外祖母，愿意抚养"},
    )
    assert response.status_code == 302


def test_the_director_reads_its_communitys_emergency(users, login, open_emergency):
    html = login(users["director"]).get(f"/cases/emergency/{open_emergency.pk}/").content.decode()
    assert "临时监护中" in html
    assert "/log/" not in html and "/resolve/" not in html


@pytest.mark.parametrize("role", ["partner", "dataofficer", "auditor"])
def test_roles_without_the_registry_get_403_on_the_pages(users, login, open_emergency, role):
    client = login(users[role])
    assert client.get("/cases/emergency/").status_code == 403
    assert client.get(f"/cases/emergency/{open_emergency.pk}/").status_code == 403


def test_the_social_worker_sees_no_emergency(users, login, open_emergency):
    client = login(users["socialworker"])
    assert client.get(f"/cases/emergency/{open_emergency.pk}/").status_code == 404
    assert "王小海" not in client.get("/cases/emergency/").content.decode()


def test_anonymous_users_are_sent_to_the_login(client, open_emergency):
    response = client.get(f"/cases/emergency/{open_emergency.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- scope -----------------------------------------------------------------------------------


def test_the_supervisor_cannot_open_for_another_streets_child(users, children, login):
    client = login(users["supervisor"])
    url = f"/cases/emergency/new/?child={children['village'].pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, opening()).status_code == 404
    assert not EmergencyProtection.objects.exists()


def test_another_streets_emergency_does_not_exist_for_the_supervisor(
    users, login, village_emergency
):
    client = login(users["supervisor"])
    base = f"/cases/emergency/{village_emergency.pk}/"
    assert client.get(base).status_code == 404
    response = client.post(
        base + "log/", {"at": local(ago(hours=1)), "party": "police", "note": "x"}
    )
    assert response.status_code == 404
    assert "张伟" not in client.get("/cases/emergency/").content.decode()
    assert not village_emergency.log.exists()


def test_director2s_emergency_does_not_exist_for_the_director(users, login, village_emergency):
    assert (
        login(users["director"]).get(f"/cases/emergency/{village_emergency.pk}/").status_code == 404
    )
    assert (
        login(users["director2"]).get(f"/cases/emergency/{village_emergency.pk}/").status_code
        == 200
    )


@pytest.mark.parametrize("query", ["", "?child=", "?child=abc", "?child=999999"])
def test_bad_child_is_404(users, login, query):
    assert login(users["bureau"]).get(f"/cases/emergency/new/{query}").status_code == 404


def test_bad_id_is_404_and_wrong_method_405(users, login, open_emergency):
    client = login(users["bureau"])
    assert client.get("/cases/emergency/999999/").status_code == 404
    assert client.get("/cases/emergency/999999/log/").status_code == 404
    assert client.post(f"/cases/emergency/{open_emergency.pk}/").status_code == 405
    assert client.put(f"/cases/emergency/{open_emergency.pk}/log/").status_code == 405
    assert client.delete("/cases/emergency/").status_code == 405
