"""Forms posted with another street's ids (issue 12, "scope on every write"): each form is posted
twice by the same user, once as the page offers it (it saves) and once with one id swapped for a
record of another street — a community, a station, a person, a case, an organisation. The second
is refused and creates nothing, whatever the form offered; the first proves the body was
otherwise good, so the refusal is the scope's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from huhang.cases.models import HomeVisit
from huhang.community.models import Activity, Resource, Training, Workstation
from huhang.registry.models import Child
from tests.factories.base import OrganisationFactory
from tests.factories.cases import CaseFactory
from tests.factories.community import PartnerProfileFactory, WorkstationFactory


def _ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Attack:
    role: str
    url: Callable[[dict], str]
    model: type[Model]
    body: Callable[[dict], dict]
    good: dict  # the ids as the page offers them …
    bad: dict  # … and swapped for another street's


def _ids(w: dict, spec: dict) -> dict:
    return {field: fn(w) for field, fn in spec.items()}


ATTACKS = {
    "child in another street's community": Attack(
        "supervisor",
        lambda w: reverse("registry:child_create"),
        Child,
        lambda w: {"name": "赵小明", "sex": "M", "birth_date": "2015-05-01", "living": "home"},
        good={"division": lambda w: w["tree"]["c2"].pk},
        bad={"division": lambda w: w["tree"]["village"].pk},
    ),
    "station in another street's village": Attack(
        "supervisor",
        lambda w: reverse("community:station_create"),
        Workstation,
        lambda w: {"name": "新设工作站", "level": "community", "address": "某路1号"},
        good={"division": lambda w: w["tree"]["c2"].pk},
        bad={"division": lambda w: w["tree"]["village"].pk},
    ),
    "training organised for another street": Attack(
        "supervisor",
        lambda w: reverse("community:training_create"),
        Training,
        lambda w: {"topic": "街道培训", "held_on": _ago(3), "trainer": "李老师", "hours": "2"},
        good={"division": lambda w: w["tree"]["street"].pk},
        bad={"division": lambda w: w["tree"]["town"].pk},
    ),
    "another street's director on a training": Attack(
        "supervisor",
        lambda w: reverse("community:training_create"),
        Training,
        lambda w: {
            "topic": "街道培训",
            "held_on": _ago(3),
            "trainer": "李老师",
            "hours": "2",
            "division": w["tree"]["street"].pk,
        },
        good={"attendees": lambda w: [w["users"]["director"].pk]},
        bad={"attendees": lambda w: [w["users"]["director"].pk, w["users"]["director2"].pk]},
    ),
    "activity at another village's station": Attack(
        "director",
        lambda w: reverse("community:activity_create"),
        Activity,
        lambda w: {"title": "沙盘小组", "kind": "sand_tray", "held_on": _ago(1), "capacity": 8},
        good={"station": lambda w: w["station_here"].pk},
        bad={"station": lambda w: w["station_there"].pk},
    ),
    "resource in another organisation's name": Attack(
        "partner",
        lambda w: reverse("community:resource_create"),
        Resource,
        lambda w: {"kind": "camp", "title": "冬令营", "quantity": 5, "available_on": _ago(-30)},
        good={"partner": lambda w: w["orgs"]["partner"].pk},
        bad={"partner": lambda w: w["other_org"].pk},
    ),
    "visit naming another child's case": Attack(
        "director",
        lambda w: reverse("cases:visit_create") + "?" + urlencode({"child": w["xiaohai"].pk}),
        HomeVisit,
        lambda w: {"visited_on": _ago(1), "findings": "生活稳定，学习正常。"},
        good={"case": lambda w: w["case_here"].pk},
        bad={"case": lambda w: w["case_there"].pk},
    ),
}


@pytest.fixture
def w(tree, users, orgs, children):
    other_org = OrganisationFactory(name="鹿城爱心企业", kind="company")
    PartnerProfileFactory(organisation=orgs["partner"])
    PartnerProfileFactory(organisation=other_org)
    return {
        "tree": tree,
        "users": users,
        "orgs": orgs,
        "other_org": other_org,
        "xiaohai": children["xiaohai"],
        "station_here": WorkstationFactory(division=tree["c1"]),
        "station_there": WorkstationFactory(division=tree["village"]),
        "case_here": CaseFactory(child=children["xiaohai"], opened_by=users["director"]),
        "case_there": CaseFactory(child=children["village"], opened_by=users["director2"]),
    }


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_another_streets_id_is_refused(name, w, login):
    attack = ATTACKS[name]
    client = login(w["users"][attack.role])
    url = attack.url(w)
    model = attack.model._default_manager
    before = model.count()
    response = client.post(url, {**attack.body(w), **_ids(w, attack.bad)})
    assert response.status_code in (200, 400, 403, 404)
    assert model.count() == before, f"{name}: saved with another street's id"
    response = client.post(url, {**attack.body(w), **_ids(w, attack.good)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert model.count() == before + 1
