"""Recording a home visit from the phone: /cases/visits/new/?child=<pk>."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from huhang.cases.models import HomeVisit, VisitPhoto
from huhang.core.dates import add_months
from huhang.core.models import AuditEvent
from huhang.registry.models import Document
from tests.factories.cases import CaseFactory
from tests.factories.registry import CategoryFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(child) -> str:
    return f"{reverse('cases:visit_create')}?child={child.pk}"


def photo(name="visit.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def post(client, child, **data):
    fields = {"visited_on": timezone.localdate().isoformat(), "findings": "孩子状态良好"}
    fields.update(data)
    return client.post(url(child), fields)


@pytest.fixture(autouse=True)
def storage(settings, tmp_path) -> Path:
    """A fresh document store per test, so that files left by one test cannot hide another's."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    return tmp_path


def high_risk_case(child, by):
    return CaseFactory(child=child, opened_by=by, high_risk=True)


def stored_files(storage: Path) -> list[Path]:
    return [p for p in storage.rglob("*") if p.is_file()]


def test_form_defaults_to_today_and_offers_the_childs_open_cases(users, children, login):
    child = children["xiaohai"]
    case = high_risk_case(child, users["director"])
    other = high_risk_case(children["c2"], users["director"])
    response = login(users["director"]).get(url(child))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["visited_on"].value() == timezone.localdate()
    assert list(form.fields["case"].queryset) == [case]
    assert other not in form.fields["case"].queryset
    assert "1 个月" in form.fields["next_due"].help_text  # high risk: monthly
    assert 'type="file"' in response.content.decode() and "multiple" in response.content.decode()


def test_record_visit_defaults_next_date_from_the_rule(users, children, login):
    child = children["xiaohai"]
    CategoryFactory(child=child, category="orphan", approved=True)
    today = timezone.localdate()
    response = post(login(users["director"]), child)
    assert response.status_code == 302
    assert response["Location"] == reverse("workbench:child_detail", args=[child.pk])
    visit = HomeVisit.objects.get(child=child)
    assert visit.visitor == users["director"]
    assert visit.visited_on == today
    assert visit.next_due == add_months(today, 3)
    assert visit.case is None
    assert AuditEvent.objects.filter(action="create", object_id=str(child.pk)).exists()


def test_record_visit_with_case_and_chosen_next_date(users, children, login):
    child = children["xiaohai"]
    case = high_risk_case(child, users["director"])
    yesterday = timezone.localdate() - timedelta(days=1)
    next_due = yesterday + timedelta(days=10)
    response = post(
        login(users["director"]),
        child,
        visited_on=yesterday.isoformat(),
        next_due=next_due.isoformat(),
        case=case.pk,
    )
    assert response.status_code == 302
    visit = HomeVisit.objects.get(child=child)
    assert (visit.visited_on, visit.next_due, visit.case) == (yesterday, next_due, case)


def test_visit_with_photos_creates_documents_and_links(users, children, login, storage):
    child = children["xiaohai"]
    response = post(login(users["director"]), child, photos=[photo("a.png"), photo("b.png")])
    assert response.status_code == 302
    visit = HomeVisit.objects.get(child=child)
    documents = Document.objects.filter(child=child)
    assert documents.count() == 2
    assert {d.kind for d in documents} == {"photo"}
    assert set(VisitPhoto.objects.filter(visit=visit).values_list("document_id", flat=True)) == {
        d.pk for d in documents
    }
    assert documents.first().file.read() == PNG
    assert len(stored_files(storage)) == 2


def test_future_visit_is_refused_and_nothing_is_saved(users, children, login, storage):
    child = children["xiaohai"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post(
        login(users["director"]), child, visited_on=tomorrow.isoformat(), photos=[photo()]
    )
    assert response.status_code == 200
    assert "不能晚于今天" in " ".join(response.context["form"].errors["visited_on"])
    assert not HomeVisit.objects.exists()
    assert not Document.objects.exists()
    assert not VisitPhoto.objects.exists()
    assert stored_files(storage) == []


def test_a_bad_photo_undoes_the_visit_and_the_good_photos(users, children, login, storage):
    """The second file claims to be a PNG but is a PDF: the first photo's file and row, and the
    visit, must all go."""
    child = children["xiaohai"]
    response = post(
        login(users["director"]),
        child,
        photos=[photo("good.png"), photo("fake.png", PDF)],
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photos"])
    assert "fake.png" in errors and "不符" in errors
    assert not HomeVisit.objects.exists()
    assert not Document.objects.exists()
    assert stored_files(storage) == []


@pytest.mark.parametrize("name", ["report.pdf", "noextension"])
def test_only_images_are_photos(name, users, children, login):
    response = post(login(users["director"]), children["xiaohai"], photos=[photo(name, PDF)])
    assert response.status_code == 200
    assert "只能上传" in " ".join(response.context["form"].errors["photos"])
    assert not HomeVisit.objects.exists()


def test_findings_are_required(users, children, login):
    response = post(login(users["director"]), children["xiaohai"], findings="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["findings"]
    assert not HomeVisit.objects.exists()


def test_next_date_must_follow_the_visit(users, children, login):
    today = timezone.localdate()
    response = post(login(users["director"]), children["xiaohai"], next_due=today.isoformat())
    assert response.status_code == 200
    assert "晚于本次探访日期" in " ".join(response.context["form"].errors["next_due"])
    assert not HomeVisit.objects.exists()


def test_case_of_another_child_is_refused(users, children, login):
    other = high_risk_case(children["c2"], users["director"])
    response = post(login(users["supervisor"]), children["xiaohai"], case=other.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["case"]
    assert not HomeVisit.objects.exists()


def test_social_worker_records_a_visit_with_a_photo(users, children, login):
    """A social worker may not edit the archive, but its visit's photos are still attached."""
    client = login(users["socialworker"])
    assert post(client, children["xiaohai"], photos=[photo()]).status_code == 302
    visit = HomeVisit.objects.get()
    assert visit.visitor == users["socialworker"]
    assert visit.photos.get().document.uploaded_by == users["socialworker"]
    # ...but it cannot attach other documents to the archive.
    document_url = reverse("registry:document_create", args=[children["xiaohai"].pk])
    assert client.get(document_url).status_code == 403


@pytest.mark.parametrize(
    ("role", "child", "status"),
    [
        ("director2", "xiaohai", 404),  # another community
        ("director", "village", 404),
        ("supervisor", "village", 404),  # another street
        ("socialworker", "c2", 404),  # not entrusted to its organisation
        ("bureau", "village", 200),
        ("partner", "xiaohai", 403),
        ("dataofficer", "xiaohai", 403),
        ("auditor", "xiaohai", 403),
    ],
)
def test_access(role, child, status, users, children, login):
    client = login(users[role])
    assert client.get(url(children[child])).status_code == status
    assert post(client, children[child]).status_code == (302 if status == 200 else status)
    assert HomeVisit.objects.exists() == (status == 200)


@pytest.mark.parametrize("query", ["", "?child=", "?child=abc", "?child=999999"])
def test_missing_or_bad_child_is_404(query, users, children, login):
    response = login(users["bureau"]).get(reverse("cases:visit_create") + query)
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_is_405(method, users, children, login):
    response = getattr(login(users["director"]), method)(url(children["xiaohai"]))
    assert response.status_code == 405
