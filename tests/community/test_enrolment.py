"""Enrolment: capacity, eligibility (age on the activity's day, approved categories), the
recorded reason for an exception, attendance only once held, audit of every change."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huhang.community.activities import selectors as activities_read
from huhang.community.activities import services as activities
from huhang.community.models import Enrolment
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.models import AuditEvent
from tests.community.conftest import HELD, approve
from tests.factories import ChildFactory, PersonFactory


def _child(tree, name, birth, division="c1"):
    person = PersonFactory(name=name, sex="F", birth_date=birth)
    return ChildFactory(person=person, division=tree[division])


def test_over_capacity_refused(users, tree, activity):
    sup = users["supervisor"]
    for i in range(2):
        activities.enrolment_add(
            by=sup, activity=activity, child=_child(tree, f"甲{i}", date(2016, 1, 1))
        )
    with pytest.raises(DomainError, match="名额已满"):
        activities.enrolment_add(
            by=sup, activity=activity, child=_child(tree, "乙", date(2016, 1, 1))
        )
    assert Enrolment.objects.filter(activity=activity).count() == 2


def test_age_boundary_on_the_activity_day(users, tree, activity):
    """Age band 6–14 on 2026-07-15: 6 that very day is in, 15 that very day is out."""
    six_today = _child(tree, "六岁", date(2020, 7, 15))
    fifteen_today = _child(tree, "十五", date(2011, 7, 15))
    fourteen_tomorrow_15 = _child(tree, "十四", date(2011, 7, 16))
    assert activities_read.child_is_eligible(activity=activity, child=six_today)
    assert not activities_read.child_is_eligible(activity=activity, child=fifteen_today)
    assert activities_read.child_is_eligible(activity=activity, child=fourteen_tomorrow_15)
    assert not activities_read.child_is_eligible(
        activity=activity, child=_child(tree, "五岁", date(2020, 7, 16))
    )


def test_ineligible_only_with_reason(users, tree, activity):
    sup = users["supervisor"]
    old = _child(tree, "大孩", date(2010, 1, 1))
    with pytest.raises(DomainError, match="破格报名理由"):
        activities.enrolment_add(by=sup, activity=activity, child=old)
    e = activities.enrolment_add(by=sup, activity=activity, child=old, reason="照顾弟弟一同参加")
    assert (e.eligible, e.exception_reason) == (False, "照顾弟弟一同参加")
    event = AuditEvent.objects.filter(object_type="child", object_id=str(old.pk)).latest("pk")
    assert event.detail["exception_reason"] == "照顾弟弟一同参加"


def test_category_condition(users, tree, stations):
    activity = activities.activity_create(
        by=users["supervisor"],
        station=stations["street"],
        title="孤儿关爱",
        kind="festival",
        held_on=HELD,
        capacity=10,
        categories=["orphan", "dfuc"],
    )
    child = _child(tree, "丙", date(2015, 1, 1))
    assert not activities_read.child_is_eligible(activity=activity, child=child)
    approve(child, "left_behind")
    assert not activities_read.child_is_eligible(activity=activity, child=child)
    a = approve(child, "dfuc", since=date(2026, 8, 1))  # not yet in effect on the day
    assert not activities_read.child_is_eligible(activity=activity, child=child)
    a.effective_from = date(2026, 7, 15)
    a.save()
    assert activities_read.child_is_eligible(activity=activity, child=child)


def test_enrol_through_the_page(users, children, activity, login):
    client = login(users["supervisor"])
    url = reverse("community:activity_enrol", args=[activity.pk])
    response = client.post(url, {"child": children["xiaohai"].pk})
    assert response.status_code == 302
    # A child outside the user's scope "does not exist" — same message as a wrong number.
    response = client.post(url, {"child": children["village"].pk})
    assert response.status_code == 400
    assert "找不到该儿童档案" in response.content.decode()
    assert not Enrolment.objects.filter(child=children["village"]).exists()


def test_refusal_shown_on_the_page(users, tree, activity, login):
    client = login(users["supervisor"])
    old = _child(tree, "大孩", date(2010, 1, 1))
    response = client.post(
        reverse("community:activity_enrol", args=[activity.pk]), {"child": old.pk}
    )
    assert response.status_code == 400
    assert "破格报名理由" in response.content.decode()


def test_partner_cannot_enrol(users, children, activity, login):
    client = login(users["partner"])
    url = reverse("community:activity_enrol", args=[activity.pk])
    assert client.post(url, {"child": children["xiaohai"].pk}).status_code == 403


def test_attendance_audited_and_not_before_the_day(users, tree, activity):
    sup = users["supervisor"]
    a = activities.enrolment_add(
        by=sup, activity=activity, child=_child(tree, "丁", date(2016, 1, 1))
    )
    b = activities.enrolment_add(
        by=sup, activity=activity, child=_child(tree, "戊", date(2016, 1, 1))
    )
    with pytest.raises(DomainError, match="尚未举行"):
        activities.attendance_record(
            by=sup, activity=activity, present={a.pk}, today=date(2026, 7, 14)
        )
    before = AuditEvent.objects.count()
    activities.attendance_record(by=sup, activity=activity, present={a.pk}, today=HELD)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.attended, b.attended) == (True, False)
    assert AuditEvent.objects.count() - before == 2 + 0  # one per child
    with pytest.raises(DomainError):
        activities.enrolment_remove(by=sup, enrolment=a)


def test_archive_lists_activities(users, children, activity, login):
    activities.enrolment_add(by=users["supervisor"], activity=activity, child=children["xiaohai"])
    html = (
        login(users["director"])
        .get(reverse("workbench:child_detail", args=[children["xiaohai"].pk]))
        .content.decode()
    )
    assert "沙盘游戏小组" in html
    assert "参加的活动" in html


def test_photo_upload_sniffs_content(users, activity, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    fake = SimpleUploadedFile("x.png", b"%PDF-1.4 not a png", content_type="image/png")
    with pytest.raises(DomainError):
        activities.photo_upload(by=users["supervisor"], activity=activity, upload=fake)
    pdf = SimpleUploadedFile(
        "x.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", content_type="application/pdf"
    )
    with pytest.raises(DomainError, match="JPG"):
        activities.photo_upload(by=users["supervisor"], activity=activity, upload=pdf)
    photo = activities.photo_upload(
        by=users["supervisor"], activity=activity, upload=SimpleUploadedFile("p.png", png)
    )
    url = reverse("community:photo_download", args=[photo.pk])
    assert login(users["partner"]).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        user_id=users["partner"].pk, action="download", object_type="activityphoto"
    ).exists()
    assert login(users["director2"]).get(url).status_code == 404


def test_removal_with_a_stale_enrolment_after_attendance_is_refused(users, tree, activity):
    """The page was opened before attendance was taken: its (stale) enrolment says "not yet
    recorded", the row says otherwise — the row decides and the child stays on the list."""
    sup = users["supervisor"]
    child = _child(tree, "己", date(2016, 1, 1))
    stale = activities.enrolment_add(by=sup, activity=activity, child=child)
    activities.attendance_record(by=sup, activity=activity, present={stale.pk}, today=HELD)
    with pytest.raises(InvalidTransition):
        activities.enrolment_remove(by=sup, enrolment=stale)
    assert Enrolment.objects.filter(pk=stale.pk, attended=True).exists()
    assert not AuditEvent.objects.filter(object_id=str(child.pk), detail__enrolled=False).exists()


def test_second_removal_of_the_same_enrolment_is_refused(users, tree, activity):
    sup = users["supervisor"]
    child = _child(tree, "庚", date(2016, 1, 1))
    enrolment = activities.enrolment_add(by=sup, activity=activity, child=child)
    stale = Enrolment.objects.get(pk=enrolment.pk)
    activities.enrolment_remove(by=sup, enrolment=enrolment)
    with pytest.raises(InvalidTransition):
        activities.enrolment_remove(by=sup, enrolment=stale)
    removed = AuditEvent.objects.filter(object_id=str(child.pk), detail__enrolled=False)
    assert removed.count() == 1
