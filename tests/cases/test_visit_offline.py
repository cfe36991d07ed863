"""Visits sent from the phone's outbox (issue 13, parts 2 and 3): /cases/visits/sync/.

Sent twice, stored once; whatever changed meanwhile is refused with a reason the outbox shows;
the location is stored with its accuracy; each photo gets a stamped copy beside the original.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from huhang.cases.models import HomeVisit, VisitPhoto
from huhang.cases.visits import stamp
from huhang.registry.models import ChildStatus, Document
from tests.factories.cases import CaseFactory, HomeVisitFactory

SYNC = "/cases/visits/sync/"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    return tmp_path


def jpeg(width=640, height=480, colour=(200, 220, 240)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def send(client, child, client_id=None, **data):
    fields = {
        "client_id": str(client_id or uuid.uuid4()),
        "child": child.pk,
        "visited_on": timezone.localdate().isoformat(),
        "findings": "孩子状态良好，学习正常",
    }
    fields.update(data)
    return client.post(SYNC, fields)


def test_sync_url_is_the_outbox_endpoint():
    assert reverse("cases:visit_sync") == SYNC


def test_a_visit_sent_twice_is_stored_once(users, children, login):
    child = children["xiaohai"]
    client = login(users["director"])
    visit_id = uuid.uuid4()
    first = send(client, child, visit_id)
    assert first.status_code == 201, first.content
    again = send(client, child, visit_id)
    assert again.status_code == 200
    assert first.json()["visit"] == again.json()["visit"]
    assert first.json()["url"] == reverse("workbench:child_detail", args=[child.pk])
    assert HomeVisit.objects.filter(child=child).count() == 1
    assert HomeVisit.objects.get().client_id == visit_id


def test_the_database_refuses_a_second_visit_with_the_same_phone_id(users, children):
    visit_id = uuid.uuid4()
    HomeVisitFactory(child=children["xiaohai"], client_id=visit_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeVisitFactory(child=children["c2"], client_id=visit_id)


def test_visits_without_a_phone_id_do_not_collide(users, children):
    HomeVisitFactory(child=children["xiaohai"])
    HomeVisitFactory(child=children["xiaohai"])
    assert HomeVisit.objects.filter(client_id__isnull=True).count() == 2


def test_a_resend_after_the_child_left_the_scope_still_finds_the_stored_visit(
    users, children, login, tree
):
    """The answer to the first send was lost; meanwhile the child moved to another community.
    The retry must not be refused: the visit is already stored."""
    child = children["xiaohai"]
    client = login(users["director"])
    visit_id = uuid.uuid4()
    assert send(client, child, visit_id).status_code == 201
    child.division = tree["c2"]
    child.save()
    again = send(client, child, visit_id)
    assert again.status_code == 200 and again.json()["ok"]
    assert HomeVisit.objects.count() == 1


def test_a_phone_id_used_by_another_visitor_is_refused(users, children, login):
    visit_id = uuid.uuid4()
    HomeVisitFactory(child=children["xiaohai"], client_id=visit_id, visitor=users["supervisor"])
    response = send(login(users["director"]), children["xiaohai"], visit_id)
    assert response.status_code == 409
    assert "编号" in response.json()["reason"]
    assert HomeVisit.objects.count() == 1


def test_a_closed_case_is_refused_with_its_reason(users, children, login):
    child = children["xiaohai"]
    case = CaseFactory(child=child, opened_by=users["director"], closed=True)
    response = send(login(users["director"]), child, case=case.pk)
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False and "已结案" in body["reason"] and body["field"] == "case"
    assert not HomeVisit.objects.exists()


def test_a_child_out_of_scope_is_refused_with_its_reason(users, children, login):
    response = send(login(users["director"]), children["c2"])
    assert response.status_code == 404
    assert "不在您的工作范围内" in response.json()["reason"]
    assert not HomeVisit.objects.exists()


def test_a_child_no_longer_active_is_refused(users, children, login):
    child = children["xiaohai"]
    child.status = ChildStatus.TRANSFERRED
    child.save()
    response = send(login(users["director"]), child)
    assert response.status_code == 409
    assert "已迁出" in response.json()["reason"]


def test_an_impossible_visit_date_is_refused(users, children, login):
    child = children["xiaohai"]
    client = login(users["director"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    future = send(client, child, visited_on=tomorrow.isoformat())
    assert future.status_code == 409 and "不能晚于今天" in future.json()["reason"]
    before_birth = child.person.birth_date - timedelta(days=1)
    unborn = send(client, child, visited_on=before_birth.isoformat())
    assert unborn.status_code == 409 and "出生日期" in unborn.json()["reason"]
    assert not HomeVisit.objects.exists()


def test_a_visit_without_a_phone_id_is_refused(users, children, login):
    response = login(users["director"]).post(
        SYNC, {"child": children["xiaohai"].pk, "visited_on": "2026-01-01", "findings": "x"}
    )
    assert response.status_code == 400
    assert not HomeVisit.objects.exists()


def test_an_invalid_field_is_refused_with_its_label(users, children, login):
    response = send(login(users["director"]), children["xiaohai"], findings="", visited_on="x")
    assert response.status_code == 422
    assert response.json()["reason"].startswith("探访日期")


def test_a_signed_out_phone_is_sent_to_the_login_page(children, client):
    response = send(client, children["xiaohai"])
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_role_without_visits_is_refused(users, children, login):
    assert send(login(users["partner"]), children["xiaohai"]).status_code == 403


def test_the_csrf_token_is_given_to_a_sender_without_a_page(users, login):
    response = login(users["director"]).get(SYNC)
    assert response.status_code == 200 and len(response.json()["csrf"]) >= 32


def test_the_location_is_stored_with_its_accuracy(users, children, login):
    response = send(
        login(users["director"]),
        children["xiaohai"],
        latitude="40.6512345678",
        longitude="109.8403219",
        accuracy_m="15",
    )
    assert response.status_code == 201, response.content
    visit = HomeVisit.objects.get()
    assert visit.latitude == Decimal("40.651235")
    assert visit.longitude == Decimal("109.840322")
    assert visit.accuracy_m == 15


def test_a_visit_may_go_without_location(users, children, login):
    assert send(login(users["director"]), children["xiaohai"]).status_code == 201
    visit = HomeVisit.objects.get()
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (None, None, None)


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": "40.1", "longitude": "109.2"},  # no accuracy
        {"latitude": "91", "longitude": "109.2", "accuracy_m": "5"},
        {"latitude": "40.1", "longitude": "181", "accuracy_m": "5"},
    ],
)
def test_an_incomplete_or_impossible_location_is_refused(users, children, login, location):
    response = send(login(users["director"]), children["xiaohai"], **location)
    assert response.status_code == 422
    assert not HomeVisit.objects.exists()


def test_the_database_refuses_half_a_location(children):
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeVisitFactory(child=children["xiaohai"], latitude=Decimal("40.1"))


def test_a_photo_is_kept_as_sent_and_a_stamped_copy_is_stored_beside_it(users, children, login):
    child = children["xiaohai"]
    original = jpeg()
    photo = SimpleUploadedFile("visit.jpg", original, content_type="image/jpeg")
    taken = timezone.now().replace(hour=6, minute=7)  # 14:07 in Beijing
    response = send(
        login(users["director"]),
        child,
        photos=[photo],
        latitude="40.65",
        longitude="109.84",
        accuracy_m="12",
        taken_at=taken.isoformat(),
    )
    assert response.status_code == 201, response.content
    link = VisitPhoto.objects.get()
    assert link.stamped is not None and link.stamped != link.document
    assert link.document.sha256 == hashlib.sha256(original).hexdigest()
    assert link.document.file.read() == original
    stamped = Image.open(link.stamped.file)
    assert stamped.size == (640, 480)
    # The band along the bottom is dark, the top of the picture is as it was.
    assert sum(stamped.getpixel((5, 475))) < sum((200, 220, 240)) / 2
    assert (
        max(abs(a - b) for a, b in zip(stamped.getpixel((5, 5)), (200, 220, 240), strict=True)) < 8
    )
    assert Document.objects.filter(child=child).count() == 2


def test_the_caption_names_date_time_and_place(users, children):
    visit = HomeVisitFactory(
        child=children["xiaohai"],
        latitude=Decimal("40.651234"),
        longitude=Decimal("109.840321"),
        accuracy_m=12,
    )
    taken = timezone.now().replace(hour=6, minute=7, second=0)
    line, place = stamp.caption(visit, taken)
    assert line == (f"{visit.visited_on.isoformat()} 14:07 · 40.65123N 109.84032E ±12 m")
    assert place == children["xiaohai"].division.name


def test_stamping_something_that_is_not_a_picture_gives_nothing():
    assert stamp.stamp_photo(b"%PDF-1.4 not a picture", ("x", "")) is None


def test_a_large_photo_keeps_its_size_when_stamped():
    data = stamp.stamp_photo(jpeg(1600, 1200), ("2026-12-06 14:07", "友谊一社区"))
    assert data is not None
    assert Image.open(io.BytesIO(data)).size == (1600, 1200)


def test_the_ordinary_form_stores_the_location_too(users, children, login):
    """Without script the visit form posts as before; its hidden fields carry the location."""
    child = children["xiaohai"]
    url = f"{reverse('cases:visit_create')}?child={child.pk}"
    response = login(users["director"]).post(
        url,
        {
            "visited_on": timezone.localdate().isoformat(),
            "findings": "正常",
            "latitude": "40.5",
            "longitude": "109.5",
            "accuracy_m": "30",
            "client_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert visit.accuracy_m == 30 and visit.client_id is not None
