"""Who sees which stations, activities and resources; partner staff see their own only, and
children only as given name and age — never an ID number, never a surname."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huhang.community.activities import services as activities
from huhang.community.models import Activity, Resource, Workstation
from huhang.community.partners import services as partners
from huhang.core import scope
from huhang.core.models import AuditEvent


@pytest.fixture
def village_activity(users, stations):
    return activities.activity_create(
        by=users["director2"],
        station=stations["village"],
        title="面塑课堂",
        kind="dough",
        held_on=date(2026, 7, 20),
        capacity=10,
    )


def test_stations_by_role(users, stations, activity):
    names = {
        k: set(scope.visible(u, Workstation).values_list("name", flat=True))
        for k, u in users.items()
    }
    assert len(names["bureau"]) == 3
    assert names["auditor"] == names["bureau"]
    assert names["supervisor"] == {"友谊大街街道未成年人保护工作站"}
    assert names["director"] == set()  # no station in its community
    assert names["director2"] == {"河东村未成年人保护工作站"}
    # The partner sees the station hosting its activity, nothing else.
    assert names["partner"] == {"友谊大街街道未成年人保护工作站"}
    assert names["socialworker"] == names["dataofficer"] == set()


def test_activities_by_role(users, activity, village_activity, other_partner):
    def titles(user):
        return set(scope.visible(user, Activity).values_list("title", flat=True))

    assert titles(users["bureau"]) == {"沙盘游戏小组", "面塑课堂"}
    assert titles(users["supervisor"]) == {"沙盘游戏小组"}
    assert titles(users["director2"]) == {"面塑课堂"}
    assert titles(users["partner"]) == {"沙盘游戏小组"}
    assert titles(other_partner) == set()
    assert titles(users["socialworker"]) == set()


def test_partner_created_activity_is_its_own(users, stations, other_partner):
    mine = activities.activity_create(
        by=other_partner,
        station=stations["village"],
        title="爱心研学",
        kind="study_trip",
        held_on=date(2026, 8, 1),
        capacity=5,
    )
    assert list(scope.visible(other_partner, Activity)) == [mine]
    assert mine not in scope.visible(users["partner"], Activity)


def test_partner_pages_404_for_others_activities(users, village_activity, login):
    client = login(users["partner"])
    url = reverse("community:activity_detail", args=[village_activity.pk])
    assert client.get(url).status_code == 404


def test_partner_sees_given_names_and_ages_only(users, children, activity, login):
    xiaohai = children["xiaohai"]
    activities.enrolment_add(by=users["supervisor"], activity=activity, child=xiaohai)
    client = login(users["partner"])
    response = client.get(reverse("community:activity_detail", args=[activity.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "小海" in html
    assert "王小海" not in html
    assert xiaohai.person.id_number not in html
    assert xiaohai.person.id_number[-4:] not in html
    assert reverse("workbench:child_detail", args=[xiaohai.pk]) not in html
    age = xiaohai.person.age_on(activity.held_on)
    assert f"{age}岁" in html
    # Even the given name shown to a partner is recorded.
    assert AuditEvent.objects.filter(
        user_id=users["partner"].pk, object_type="child", object_id=str(xiaohai.pk), action="view"
    ).exists()


def test_supervisor_sees_full_name_with_archive_link(users, children, activity, login):
    activities.enrolment_add(by=users["supervisor"], activity=activity, child=children["xiaohai"])
    html = (
        login(users["supervisor"])
        .get(reverse("community:activity_detail", args=[activity.pk]))
        .content.decode()
    )
    assert "王小海" in html
    assert reverse("workbench:child_detail", args=[children["xiaohai"].pk]) in html


def test_resources_by_role(users, tree, orgs, other_partner):
    bureau = users["bureau"]
    anywhere = partners.resource_create(
        by=bureau,
        partner=orgs["partner"],
        kind="camp",
        title="夏令营",
        quantity=5,
        available_on=date(2026, 8, 1),
    )
    street = partners.resource_create(
        by=bureau,
        partner=orgs["partner"],
        kind="goods",
        title="书包",
        quantity=5,
        available_on=date(2026, 8, 1),
        divisions=[tree["street"]],
    )
    village = partners.resource_create(
        by=other_partner,
        partner=other_partner.organisation,
        kind="money",
        title="助学金",
        quantity=2,
        amount_fen=50000,
        available_on=date(2026, 8, 1),
        divisions=[tree["village"]],
    )
    district = partners.resource_create(
        by=bureau,
        partner=orgs["partner"],
        kind="study_trip",
        title="研学",
        quantity=5,
        available_on=date(2026, 8, 1),
        divisions=[tree["district"]],
    )

    def seen(user):
        return set(scope.visible(user, Resource))

    assert seen(bureau) == {anywhere, street, village, district}
    assert seen(users["supervisor"]) == {anywhere, street, district}
    assert seen(users["director"]) == {anywhere, street, district}
    assert seen(users["director2"]) == {anywhere, village, district}
    assert seen(users["partner"]) == {anywhere, street, district}
    assert seen(other_partner) == {village}
    assert seen(users["socialworker"]) == set()


def test_partner_cannot_offer_for_another_organisation(users, orgs, other_partner):
    from huhang.core.exceptions import NotAllowed

    with pytest.raises(NotAllowed):
        partners.resource_create(
            by=other_partner,
            partner=orgs["partner"],
            kind="goods",
            title="x",
            quantity=1,
            available_on=date(2026, 8, 1),
        )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("bureau", 200),
        ("supervisor", 200),
        ("director", 200),
        ("partner", 200),
        ("auditor", 200),
        ("socialworker", 403),
        ("dataofficer", 403),
    ],
)
def test_list_pages_by_role(users, login, role, status, stations):
    client = login(users[role])
    for name in (
        "station_list",
        "activity_list",
        "training_list",
        "partner_list",
        "resource_list",
        "project_list",
    ):
        assert client.get(reverse(f"community:{name}")).status_code == status, name


def test_station_outside_scope_is_404(users, stations, login):
    client = login(users["supervisor"])
    ok = client.get(reverse("community:station_detail", args=[stations["street"].pk]))
    assert ok.status_code == 200
    url = reverse("community:station_detail", args=[stations["village"].pk])
    assert client.get(url).status_code == 404


def test_auditor_is_read_only(users, activity, login):
    client = login(users["auditor"])
    assert client.get(reverse("community:activity_detail", args=[activity.pk])).status_code == 200
    assert client.get(reverse("community:activity_create")).status_code == 403
    url = reverse("community:activity_attendance", args=[activity.pk])
    assert client.post(url, {}).status_code == 403
