"""Trainings: attendance only once held; each person's record and hours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from huhang.community.models import Training
from huhang.community.trainings import selectors as trainings_read
from huhang.community.trainings import services as trainings
from huhang.core.exceptions import DomainError

TODAY = date(2026, 6, 1)


def _training(users, tree, held_on, attendees=(), **kw):
    return trainings.training_create(
        by=users["bureau"],
        topic="儿童督导员业务培训",
        held_on=held_on,
        trainer="张老师",
        hours=Decimal("3.5"),
        division=tree["district"],
        attendees=attendees,
        today=TODAY,
        **kw,
    )


def test_future_training_with_attendance_refused(users, tree):
    with pytest.raises(DomainError, match="尚未到来"):
        _training(users, tree, date(2026, 6, 2), attendees=[users["director"]])
    assert not Training.objects.exists()
    planned = _training(users, tree, date(2026, 6, 2))
    with pytest.raises(DomainError, match="尚未到来"):
        trainings.training_attendance_set(
            by=users["bureau"], training=planned, attendees=[users["director"]], today=TODAY
        )
    # On the day itself attendance is fine.
    trainings.training_attendance_set(
        by=users["bureau"], training=planned, attendees=[users["director"]], today=date(2026, 6, 2)
    )
    assert list(planned.attendees.all()) == [users["director"]]


def test_future_refusal_shown_in_the_form(users, tree, login):
    client = login(users["bureau"])
    response = client.post(
        reverse("community:training_create"),
        {
            "topic": "未来培训",
            "held_on": "2999-01-01",
            "trainer": "李",
            "hours": "2",
            "division": tree["district"].pk,
            "attendees": [users["director"].pk],
        },
    )
    assert response.status_code == 200
    assert "尚未到来" in response.content.decode()


def test_records_and_hours(users, tree, login):
    _training(users, tree, date(2026, 3, 1), attendees=[users["director"], users["supervisor"]])
    _training(users, tree, date(2026, 5, 1), attendees=[users["director"]])
    record = trainings_read.training_record(user=users["director"], person=users["director"])
    assert (len(record.rows), record.total_hours) == (2, Decimal("7.0"))
    html = login(users["director"]).get(reverse("community:my_trainings")).content.decode()
    assert "儿童督导员业务培训" in html and "7.0" in html
    # The bureau sees each person's record; the supervisor only its street's people.
    bureau = login(users["bureau"])
    url = reverse("community:person_trainings", args=[users["director2"].pk])
    assert bureau.get(url).status_code == 200
    sup = login(users["supervisor"])
    assert sup.get(url).status_code == 404
    # A director sees the district training it attended, not the others'.
    assert trainings_read.training_list(user=users["director2"]).count() == 0
    assert trainings_read.training_list(user=users["director"]).count() == 2
