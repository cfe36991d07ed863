"""Every community page for every role: it renders, refuses by role (403) or hides (404);
forms post through the services and show refusals next to their fields."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huhang.cases.models import ServiceProject
from huhang.community.activities import services as activities
from huhang.community.models import Agreement, PartnerProfile, Resource, Training, Workstation
from huhang.community.partners import services as partners
from huhang.community.trainings import services as trainings

ROLES = ["bureau", "supervisor", "director", "director2", "socialworker", "partner", "auditor"]


@pytest.fixture
def world(users, tree, orgs, stations, activity, partner_profile, children):
    activities.enrolment_add(by=users["supervisor"], activity=activity, child=children["xiaohai"])
    resource = partners.resource_create(
        by=users["bureau"],
        partner=orgs["partner"],
        kind="camp",
        title="夏令营",
        quantity=2,
        available_on=date(2026, 8, 1),
    )
    partners.resource_propose(by=users["bureau"], resource=resource)
    training = trainings.training_create(
        by=users["bureau"],
        topic="培训",
        held_on=date(2026, 1, 1),
        trainer="张",
        hours=2,
        division=tree["district"],
        attendees=[users["director"]],
        today=date(2026, 6, 1),
    )
    project = ServiceProject.objects.create(
        name="童心有梦",
        contractor=orgs["sw"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    return {"resource": resource, "training": training, "project": project}


def _pages(world, activity, stations, partner_profile, users):
    return [
        reverse("community:station_detail", args=[stations["street"].pk]),
        reverse("community:station_create"),
        reverse("community:station_edit", args=[stations["street"].pk]),
        reverse("community:activity_detail", args=[activity.pk]),
        reverse("community:activity_create"),
        reverse("community:photo_create", args=[activity.pk]),
        reverse("community:training_detail", args=[world["training"].pk]),
        reverse("community:training_create"),
        reverse("community:my_trainings"),
        reverse("community:training_people"),
        reverse("community:person_trainings", args=[users["director"].pk]),
        reverse("community:partner_detail", args=[partner_profile.pk]),
        reverse("community:partner_create"),
        reverse("community:agreement_create", args=[partner_profile.pk]),
        reverse("community:resource_detail", args=[world["resource"].pk]),
        reverse("community:resource_create"),
        reverse("community:project_detail", args=[world["project"].pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_or_refuses(
    users, world, activity, stations, partner_profile, login, role
):
    client = login(users[role])
    for url in _pages(world, activity, stations, partner_profile, users):
        status = client.get(url).status_code
        assert status in (200, 403, 404), (url, status)
        if role == "bureau":
            assert status == 200, url
        if role == "socialworker":
            assert status == 403, url


def test_forms_create_through_services(users, tree, orgs, login, stations, partner_profile):
    client = login(users["bureau"])
    response = client.post(
        reverse("community:station_create"),
        {"name": "新站", "level": "community", "division": tree["c2"].pk, "address": "某路1号"},
    )
    assert response.status_code == 302
    assert Workstation.objects.filter(name="新站").exists()
    response = client.post(
        reverse("community:activity_create"),
        {
            "title": "新活动",
            "kind": "dough",
            "station": stations["street"].pk,
            "held_on": "2026-09-01",
            "capacity": "5",
            "min_age": "10",
            "max_age": "8",
        },
    )
    assert response.status_code == 200
    assert "最大年龄不能小于最小年龄" in response.content.decode()
    response = client.post(
        reverse("community:partner_create"),
        {
            "name": "新公益组织",
            "kind": "social_org",
            "linked_on": "2026-01-01",
            "contact_name": "张三",
            "contact_phone": "123",
        },
    )
    assert response.status_code == 302
    assert PartnerProfile.objects.filter(organisation__name="新公益组织").exists()
    response = client.post(
        reverse("community:agreement_create", args=[partner_profile.pk]),
        {
            "title": "协议",
            "signed_on": "2026-01-01",
            "starts_on": "2026-02-01",
            "ends_on": "2026-01-15",
        },
    )
    assert "不能早于起始日期" in response.content.decode()
    assert not Agreement.objects.exists()
    response = client.post(
        reverse("community:resource_create"),
        {
            "partner": orgs["partner"].pk,
            "kind": "money",
            "title": "助学金",
            "quantity": "3",
            "amount_yuan": "500.50",
            "available_on": "2026-09-01",
        },
    )
    assert response.status_code == 302
    assert Resource.objects.get(title="助学金").amount_fen == 50050
    response = client.post(
        reverse("community:training_create"),
        {
            "topic": "培训",
            "held_on": "2026-01-01",
            "trainer": "李",
            "hours": "2",
            "division": tree["district"].pk,
            "attendees": [users["director"].pk],
        },
    )
    assert response.status_code == 302
    assert Training.objects.get(topic="培训").attendees.get() == users["director"]


def test_supervisor_cannot_create_station_outside_its_street(users, tree, login):
    client = login(users["supervisor"])
    response = client.post(
        reverse("community:station_create"),
        {"name": "越界站", "level": "community", "division": tree["village"].pk, "address": "x"},
    )
    assert response.status_code == 200
    assert not Workstation.objects.filter(name="越界站").exists()
