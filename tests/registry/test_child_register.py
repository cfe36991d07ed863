"""Registering a child (建档) through the form: the happy path and every refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from huhang.core import idnumber
from huhang.core.models import AuditEvent
from huhang.registry.models import Child, Person


def _form(tree, **overrides):
    birth = timezone.localdate() - timedelta(days=365 * 7)
    data = {
        "name": "赵小雨",
        "id_number": idnumber.make("150203", birth, 22),
        "sex": "F",
        "birth_date": birth.isoformat(),
        "division": tree["c1"].code,
        "living": "home",
        "school_stage": "primary",
    }
    data.update(overrides)
    return data


def test_director_registers_a_child(users, tree, login):
    client = login(users["director"])
    response = client.post(reverse("registry:child_create"), _form(tree))
    child = Child.objects.get(person__name="赵小雨")
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:child_detail", args=[child.pk])
    assert child.division == tree["c1"]
    assert child.registered_by == users["director"]
    assert child.person.name_key.startswith("赵小雨 zhaoxiaoyu zxy")
    event = AuditEvent.objects.get(action="create", object_id=str(child.pk))
    assert event.username == "director" and event.role == "director"


def test_full_width_id_number_is_normalised(users, tree, login):
    data = _form(tree)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in data["id_number"])
    login(users["director"]).post(reverse("registry:child_create"), {**data, "id_number": wide})
    assert Person.objects.get(name="赵小雨").id_number == data["id_number"]


BAD = {
    "too short": ({"id_number": "15020320190101"}, "id_number", "18"),
    "bad checksum": (
        {"id_number": "150203201901010011"},
        "id_number",
        "校验码",
    ),
    "letters": ({"id_number": "15020320190101001A"}, "id_number", ""),
    "future birth": (
        {"birth_date": (date.today() + timedelta(days=3)).isoformat(), "id_number": ""},
        "birth_date",
        "晚于今天",
    ),
    "adult as child": (
        {"birth_date": "1990-05-01", "id_number": ""},
        "birth_date",
        "18",
    ),
    "birth date disagrees": (
        {"birth_date": "2019-01-02"},
        "id_number",
        "出生日期",
    ),
    "sex disagrees": ({"sex": "M"}, "id_number", "性别"),
    "no community": ({"division": ""}, "division", ""),
    "community out of scope": ({"division": "150203100201"}, "division", ""),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_and_nothing_saved(case, users, tree, login):
    overrides, field, words = BAD[case]
    persons, events = Person.objects.count(), AuditEvent.objects.count()
    response = login(users["director"]).post(
        reverse("registry:child_create"), _form(tree, **overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert Person.objects.count() == persons
    assert Child.objects.count() == 0
    assert AuditEvent.objects.filter(action="create").count() == 0
    assert AuditEvent.objects.count() == events


def test_same_id_number_twice_is_refused(users, tree, login):
    client = login(users["director"])
    client.post(reverse("registry:child_create"), _form(tree))
    response = client.post(reverse("registry:child_create"), _form(tree, name="赵小雪"))
    assert "已建档" in " ".join(response.context["form"].errors["id_number"])
    assert Child.objects.count() == 1


def test_migrant_child_without_id_number_is_allowed(users, tree, login):
    login(users["director"]).post(reverse("registry:child_create"), _form(tree, id_number=""))
    assert Person.objects.get(name="赵小雨").id_number is None
