"""District-wide lists are edited per scope (issue 12, "scope on every write"): a street
supervisor's proposal for a charity resource replaces only its own street's lines and its confirm
deletes nobody else's; saving a training's attendance never takes another street's people off;
an activity's enrolment and attendance touch only the children the user may see. Ids of another
street's children or people put into a form by hand are refused, and nothing is half-saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from huhang.community.activities import services as activities
from huhang.community.models import Allocation, Enrolment, TrainingAttendance
from huhang.community.partners import services as partners
from huhang.community.stations import services as stations_write
from huhang.community.trainings import services as trainings
from huhang.core.exceptions import DomainError
from tests.community.conftest import approve
from tests.factories import ChildFactory, PersonFactory

DAY = date(2026, 8, 1)


def _child(tree, name, division):
    child = ChildFactory(
        person=PersonFactory(name=name, sex="F", birth_date=date(2016, 3, 1)),
        division=tree[division],
    )
    approve(child, "difficulty")
    return child


@pytest.fixture
def kids(tree):
    return {
        "c1": _child(tree, "友谊甲", "c1"),
        "c2": _child(tree, "友谊乙", "c2"),
        "village": _child(tree, "河东丙", "village"),
    }


@pytest.fixture
def district_camp(users, orgs):
    """A district-wide resource (no divisions given), enough places for everyone."""
    return partners.resource_create(
        by=users["bureau"],
        partner=orgs["partner"],
        kind="camp",
        title="全区夏令营",
        quantity=10,
        available_on=DAY,
        min_age=6,
        max_age=14,
    )


def _lines(resource):
    return {
        (a.child.person.name, a.status, a.proposed_by.username)
        for a in Allocation.objects.filter(resource=resource).select_related(
            "child__person", "proposed_by"
        )
    }


# --- Charity resources -----------------------------------------------------------------------


def test_supervisor_proposal_replaces_only_its_streets_lines(users, kids, district_camp):
    assert partners.resource_propose(by=users["bureau"], resource=district_camp) == 3
    assert partners.resource_propose(by=users["supervisor"], resource=district_camp) == 2
    assert _lines(district_camp) == {
        ("友谊甲", "proposed", "supervisor"),
        ("友谊乙", "proposed", "supervisor"),
        ("河东丙", "proposed", "bureau"),
    }


def test_supervisor_confirm_never_deletes_other_streets_lines(users, kids, district_camp, login):
    partners.resource_propose(by=users["bureau"], resource=district_camp)
    mine = Allocation.objects.get(resource=district_camp, child=kids["c1"])
    response = login(users["supervisor"]).post(
        reverse("community:resource_confirm", args=[district_camp.pk]),
        {"keep": [mine.pk], "received_on": "2026-08-01"},
    )
    assert response.status_code == 302
    # Its own street: 甲 confirmed, 乙 (not kept) taken off; the village's line untouched.
    assert _lines(district_camp) == {
        ("友谊甲", "confirmed", "bureau"),
        ("河东丙", "proposed", "bureau"),
    }


def test_confirm_with_another_streets_line_is_refused_whole(users, kids, district_camp, login):
    partners.resource_propose(by=users["bureau"], resource=district_camp)
    before = _lines(district_camp)
    theirs = Allocation.objects.get(resource=district_camp, child=kids["village"])
    mine = Allocation.objects.get(resource=district_camp, child=kids["c1"])
    client = login(users["supervisor"])
    response = client.post(
        reverse("community:resource_confirm", args=[district_camp.pk]),
        {"keep": [mine.pk, theirs.pk], "received_on": "2026-08-01"},
        follow=True,
    )
    assert "不在您辖区内" in response.content.decode()
    assert _lines(district_camp) == before
    with pytest.raises(DomainError, match="不在您辖区内"):
        partners.resource_confirm(by=users["supervisor"], resource=district_camp, keep={theirs.pk})
    assert _lines(district_camp) == before


def test_director_cannot_match_even_by_service(users, kids, district_camp):
    with pytest.raises(DomainError):
        partners.resource_propose(by=users["director"], resource=district_camp)
    assert not Allocation.objects.exists()


# --- Trainings -------------------------------------------------------------------------------


@pytest.fixture
def district_training(users, tree):
    """The district's training, attended by the street's supervisor and director and by the
    village's director."""
    return trainings.training_create(
        by=users["bureau"],
        topic="全区儿童主任培训",
        held_on=date(2026, 6, 1),
        trainer="张老师",
        hours=Decimal("3"),
        division=tree["district"],
        attendees=[users["supervisor"], users["director"], users["director2"]],
    )


def _attendees(training):
    return set(
        TrainingAttendance.objects.filter(training=training).values_list(
            "user__username", flat=True
        )
    )


def test_supervisor_saving_attendance_keeps_other_streets_people(users, district_training, login):
    url = reverse("community:training_detail", args=[district_training.pk])
    response = login(users["supervisor"]).post(url, {"attendees": [users["supervisor"].pk]})
    assert response.status_code == 302
    # Its street's director is taken off; the village's director stays on.
    assert _attendees(district_training) == {"supervisor", "director2"}


def test_another_streets_person_in_the_attendance_form_is_refused(users, district_training, login):
    url = reverse("community:training_detail", args=[district_training.pk])
    response = login(users["supervisor"]).post(
        url, {"attendees": [users["supervisor"].pk, users["director2"].pk]}
    )
    assert response.status_code == 200  # the form again, with its error
    assert _attendees(district_training) == {"supervisor", "director", "director2"}
    # The service refuses the same without the form's help, and saves nothing.
    with pytest.raises(DomainError, match="本辖区"):
        trainings.training_attendance_set(
            by=users["supervisor"],
            training=district_training,
            attendees=[users["supervisor"], users["director2"]],
        )
    assert _attendees(district_training) == {"supervisor", "director", "director2"}


def test_training_created_with_another_streets_person_is_refused(users, tree):
    with pytest.raises(DomainError, match="本辖区"):
        trainings.training_create(
            by=users["supervisor"],
            topic="街道培训",
            held_on=date(2026, 6, 1),
            trainer="李老师",
            hours=Decimal("2"),
            division=tree["street"],
            attendees=[users["director"], users["director2"]],
        )
    assert not TrainingAttendance.objects.exists()


# --- Activities ------------------------------------------------------------------------------


@pytest.fixture
def mixed_activity(users, activity, kids):
    """The street station's activity with a child of the street and one of the village, both
    enrolled by the bureau."""
    for key in ("c1", "village"):
        activities.enrolment_add(by=users["bureau"], activity=activity, child=kids[key])
    return activity


def _marks(activity):
    return {
        e.child.person.name: e.attended
        for e in Enrolment.objects.filter(activity=activity).select_related("child__person")
    }


def test_enrolling_another_streets_child_is_refused(users, activity, kids, login):
    url = reverse("community:activity_enrol", args=[activity.pk])
    response = login(users["supervisor"]).post(url, {"child": kids["village"].pk})
    assert response.status_code == 400
    assert not Enrolment.objects.exists()
    with pytest.raises(DomainError, match="找不到"):
        activities.enrolment_add(by=users["supervisor"], activity=activity, child=kids["village"])
    assert not Enrolment.objects.exists()


def test_attendance_marks_only_the_users_children(users, mixed_activity, kids, login):
    mine = Enrolment.objects.get(activity=mixed_activity, child=kids["c1"])
    url = reverse("community:activity_attendance", args=[mixed_activity.pk])
    assert login(users["supervisor"]).post(url, {"present": [mine.pk]}).status_code == 302
    # The village child's attendance is not the supervisor's to record: left unrecorded.
    assert _marks(mixed_activity) == {"友谊甲": True, "河东丙": None}


def test_attendance_with_another_streets_enrolment_is_refused(users, mixed_activity, kids, login):
    theirs = Enrolment.objects.get(activity=mixed_activity, child=kids["village"])
    url = reverse("community:activity_attendance", args=[mixed_activity.pk])
    response = login(users["supervisor"]).post(url, {"present": [theirs.pk]})
    assert response.status_code == 400
    assert _marks(mixed_activity) == {"友谊甲": None, "河东丙": None}


def test_partner_marks_its_own_activitys_whole_list(users, mixed_activity):
    ids = set(Enrolment.objects.filter(activity=mixed_activity).values_list("pk", flat=True))
    activities.attendance_record(by=users["partner"], activity=mixed_activity, present=ids)
    assert _marks(mixed_activity) == {"友谊甲": True, "河东丙": True}


def test_removing_another_streets_enrolment_is_refused(users, mixed_activity, kids, login):
    theirs = Enrolment.objects.get(activity=mixed_activity, child=kids["village"])
    url = reverse("community:enrolment_remove", args=[mixed_activity.pk, theirs.pk])
    assert login(users["supervisor"]).post(url).status_code == 404
    with pytest.raises(DomainError):
        activities.enrolment_remove(by=users["supervisor"], enrolment=theirs)
    assert Enrolment.objects.filter(pk=theirs.pk).exists()


# --- Workstations ----------------------------------------------------------------------------


def test_station_staff_edited_per_scope(users, stations):
    station = stations["street"]
    station.staff.set([users["director"], users["director2"]])
    stations_write.station_update(by=users["supervisor"], station=station, staff=[])
    assert set(station.staff.values_list("username", flat=True)) == {"director2"}
    with pytest.raises(DomainError, match="本辖区"):
        stations_write.station_update(
            by=users["supervisor"], station=station, staff=[users["director2"]]
        )


def test_services_refuse_records_outside_the_users_scope(users, tree, stations, kids):
    """Called without a view (the command line, the API, another service), each write still
    answers 404 for a record the user may not see."""
    town_training = trainings.training_create(
        by=users["bureau"],
        topic="昆河镇培训",
        held_on=date(2026, 6, 1),
        trainer="王老师",
        hours=Decimal("2"),
        division=tree["town"],
        attendees=[users["director2"]],
    )
    village_activity = activities.activity_create(
        by=users["bureau"],
        station=stations["village"],
        title="村级活动",
        kind="dough",
        held_on=date(2026, 7, 1),
        capacity=5,
    )
    town_camp = partners.resource_create(
        by=users["bureau"],
        partner=users["partner"].organisation,
        kind="camp",
        title="镇夏令营",
        quantity=3,
        available_on=DAY,
        divisions=[tree["town"]],
    )
    sup = users["supervisor"]
    calls = [
        lambda: trainings.training_attendance_set(by=sup, training=town_training, attendees=[]),
        lambda: activities.attendance_record(by=sup, activity=village_activity, present=set()),
        lambda: activities.activity_summarise(by=sup, activity=village_activity, summary="改"),
        lambda: activities.enrolment_add(by=sup, activity=village_activity, child=kids["c1"]),
        lambda: partners.resource_propose(by=sup, resource=town_camp),
        lambda: partners.resource_confirm(by=sup, resource=town_camp, keep=set()),
        lambda: stations_write.station_update(by=sup, station=stations["village"], phone="1"),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call()
    assert _attendees(town_training) == {"director2"}
    assert not Enrolment.objects.exists() and not Allocation.objects.exists()
