"""Emergency protection (临时监护) end to end through the pages: open → coordination with the
procuratorate → the court → resolved with a new guardian; every step time-stamped on the page
and audited on the child's trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huhang.cases.emergency import services
from huhang.cases.models import EmergencyProtection
from huhang.core.models import AuditEvent


def local(moment) -> str:
    """A moment as the browser's datetime-local input sends it (local time, to the minute)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shown(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def minute(moment):
    return moment.replace(second=0, microsecond=0)


@pytest.fixture
def moments():
    now = minute(timezone.now())
    return {
        "taken_in": now - timedelta(days=20, hours=3),
        "procuratorate": now - timedelta(days=18),
        "court": now - timedelta(days=5),
        "resolved": now - timedelta(days=1),
    }


def child_trail(child):
    return AuditEvent.objects.filter(object_type="child", object_id=str(child.pk)).order_by("id")


def test_open_coordinate_and_resolve_with_a_new_guardian(users, children, login, moments):
    xiaohai = children["xiaohai"]
    client = login(users["supervisor"])

    page = client.get(f"/cases/emergency/new/?child={xiaohai.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    # The seven situations of Art. 92 in full, the four placements of Art. 93.
    assert "流浪乞讨或者身份不明，暂时查找不到父母或者其他监护人" in html
    assert "未成年人遭受监护人严重伤害或者面临人身安全威胁，需要被紧急安置" in html
    assert "法律规定的其他情形" in html
    assert html.count('name="situation"') == 7
    assert html.count('name="placement"') == 4
    assert 'type="datetime-local"' in html

    response = client.post(
        f"/cases/emergency/new/?child={xiaohai.pk}",
        {
            "situation": "harmed",
            "taken_in_at": local(moments["taken_in"]),
            "placement": "rescue",
            "placement_detail": "包头市未成年人救助保护中心",
        },
    )
    emergency = EmergencyProtection.objects.get(child=xiaohai)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/emergency/{emergency.pk}/"
    assert emergency.taken_in_at == moments["taken_in"]
    assert emergency.opened_by == users["supervisor"]
    assert emergency.is_open

    detail = client.get(f"/cases/emergency/{emergency.pk}/").content.decode()
    assert "临时监护中" in detail
    assert 'class="alarm"' in detail
    assert shown(moments["taken_in"]) in detail

    for party, key, note in (
        ("procuratorate", "procuratorate", "向区检察院通报情况，检察院同意支持起诉"),
        ("court", "court", "区法院受理撤销监护人资格案件"),
    ):
        response = client.post(
            f"/cases/emergency/{emergency.pk}/log/",
            {"at": local(moments[key]), "party": party, "note": note},
        )
        assert response.status_code == 302
    entries = list(emergency.log.order_by("at"))
    assert [(e.party, e.at, e.by) for e in entries] == [
        ("procuratorate", moments["procuratorate"], users["supervisor"]),
        ("court", moments["court"], users["supervisor"]),
    ]
    assert all(e.recorded_at is not None for e in entries)

    # Only the bureau resolves.
    bureau = login(users["bureau"])
    response = bureau.post(
        f"/cases/emergency/{emergency.pk}/resolve/",
        {
            "outcome": "new_guardian",
            "outcome_detail": "法院判决撤销父亲监护资格，指定祖母王秀英为监护人",
            "resolved_at": local(moments["resolved"]),
        },
    )
    assert response.status_code == 302
    emergency.refresh_from_db()
    assert (emergency.outcome, emergency.resolved_at) == ("new_guardian", moments["resolved"])
    assert emergency.resolved_by == users["bureau"]

    detail = bureau.get(f"/cases/emergency/{emergency.pk}/").content.decode()
    assert 'class="alarm"' not in detail
    assert "经法院判决另行指定监护人" in detail
    assert "法院判决撤销父亲监护资格" in detail
    for key in ("taken_in", "procuratorate", "court", "resolved"):
        assert shown(moments[key]) in detail, key
    for entry in entries:
        assert shown(entry.recorded_at) in detail
    assert "检察院" in detail and "法院" in detail

    # Every step is on the child's trail: who, what, which emergency.
    trail = [
        (e.username, e.action, e.detail)
        for e in child_trail(xiaohai).filter(detail__emergency=emergency.pk)
    ]
    changes = [(u, a, d) for u, a, d in trail if a != "view"]
    assert changes == [
        ("supervisor", "create", {"emergency": emergency.pk, "situation": "harmed"}),
        (
            "supervisor",
            "change",
            {"emergency": emergency.pk, "log": entries[0].pk, "party": "procuratorate"},
        ),
        (
            "supervisor",
            "change",
            {"emergency": emergency.pk, "log": entries[1].pk, "party": "court"},
        ),
        ("bureau", "change", {"emergency": emergency.pk, "outcome": "new_guardian"}),
    ]
    # Reading the page is on the trail too.
    assert ("bureau", "view", {"emergency": emergency.pk}) in trail


def test_list_shows_open_ones_first_in_red(users, children, login, moments):
    bureau = users["bureau"]
    resolved = services.emergency_open(
        by=bureau,
        child=children["c2"],
        situation="guardian_unable",
        taken_in_at=moments["taken_in"] - timedelta(days=30),
        placement="relatives",
        placement_detail="外祖母家",
    )
    services.emergency_resolve(
        by=bureau,
        emergency=resolved,
        outcome="returned",
        outcome_detail="母亲出院，经评估具备监护能力",
        resolved_at=moments["taken_in"],
    )
    current = services.emergency_open(
        by=bureau,
        child=children["xiaohai"],
        situation="guardian_missing",
        taken_in_at=moments["court"],
        placement="foster",
        placement_detail="寄养家庭（张某某）",
    )
    html = login(bureau).get("/cases/emergency/").content.decode()
    assert html.index(f"/cases/emergency/{current.pk}/") < html.index(
        f"/cases/emergency/{resolved.pk}/"
    )
    assert html.count('class="emergency-open"') == 1
    assert html.count("临时监护中") == 1
    assert "经评估后送回监护人" in html


def test_list_query_count_does_not_grow_with_rows(users, children, login, moments):
    bureau = users["bureau"]
    client = login(bureau)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cases/emergency/").status_code == 200
        return len(captured)

    def open_for(child) -> None:
        services.emergency_open(
            by=bureau,
            child=child,
            situation="unidentified",
            taken_in_at=moments["taken_in"],
            placement="rescue",
            placement_detail="救助保护中心",
        )

    open_for(children["xiaohai"])
    queries()  # the first request of a session writes the session
    one = queries()
    open_for(children["c2"])
    open_for(children["village"])
    assert queries() == one
