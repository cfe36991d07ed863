"""The upload pages by role: a data officer (own department only), the bureau (any source),
everyone else 403; another department's batch is 404; pinned query counts on the list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from huhang.core.models import Job, JobStatus
from huhang.screening.feeds.services import feed_import
from huhang.screening.models import FeedBatch
from tests.screening.feedfiles import POLICE, csv_bytes, police_row, write_csv

KID = date(2015, 6, 1)
EDU = ["姓名", "公民身份号码", "学籍号", "性别", "出生日期", "学校名称", "学段"]


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "var"
    return settings.DATA_DIR


def _edu_rows(n: int) -> list[dict]:
    row = {"性别": "男", "出生日期": "2015-06-01", "学校名称": "昆区实验小学", "学段": "小学"}
    rows = [row | {"姓名": f"学生{i}", "学籍号": f"G{i}"} for i in range(n)]
    rows.append(row | {"姓名": "坏", "学籍号": "GX", "学段": "大学"})
    return rows


def _upload(client, source: str, content: bytes, name: str = "f.csv", as_of: str = "2026-03-01"):
    """Upload as the page does; the import runs as a background job (at the commit, with the
    tests' immediate backend): answers the job's page, which sends a finished import on to
    its batch. A refusal of the form answers the form."""
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("screening:feed_upload"), {"source": source, "as_of": as_of, "file": upload}
        )
    if response.status_code != 302:
        return response
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    return client.get(response["Location"])


@pytest.mark.parametrize("who", ["supervisor", "director", "socialworker", "partner", "auditor"])
def test_other_roles_get_403(users, login, who):
    client = login(users[who])
    assert client.get(reverse("screening:feed_list")).status_code == 403
    assert client.get(reverse("screening:feed_upload")).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("screening:feed_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_data_officer_uploads_its_departments_file(users, login, data_dir):
    client = login(users["dataofficer"])
    form = client.get(reverse("screening:feed_upload"))
    assert form.status_code == 200
    assert [c[0] for c in form.context["form"].fields["source"].choices] == ["education"]
    response = _upload(client, "education", csv_bytes(EDU, _edu_rows(3)))
    batch = FeedBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:feed_detail", args=[batch.pk])
    assert (batch.rows, batch.accepted, batch.rejected) == (4, 3, 1)
    assert batch.imported_by == users["dataofficer"] and batch.file_name == "f.csv"
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "“大学”不是可用的值" in text and ">5<" in text  # the row number


def test_data_officer_cannot_upload_another_departments_source(users, login, data_dir):
    client = login(users["dataofficer"])
    content = csv_bytes(POLICE, [police_row("王小海", KID)])
    response = _upload(client, "police", content)
    assert response.status_code == 200
    assert "source" in response.context["form"].errors
    assert not FeedBatch.objects.exists()


def test_refused_file_shows_the_reason_and_stores_nothing(users, login, data_dir):
    client = login(users["bureau"])
    response = _upload(client, "police", csv_bytes(POLICE[:4], [police_row("王小海", KID)]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "缺少必需的列" in text and 'id="job-error"' in text
    assert not FeedBatch.objects.exists()
    assert Job.objects.get().status == JobStatus.FAILED
    assert not list(Path(data_dir).rglob("uploads/feeds/*"))  # the uploaded file is gone


def test_duplicate_upload_redirects_to_the_existing_batch(users, login, data_dir):
    client = login(users["bureau"])
    content = csv_bytes(POLICE, [police_row("王小海", KID)])
    first = _upload(client, "police", content)
    second = _upload(client, "police", content, name="again.csv")
    assert first["Location"] == second["Location"]
    assert FeedBatch.objects.count() == 1
    page = client.get(second["Location"])
    assert "已经导入过" in page.content.decode()


def test_future_as_of_is_refused(users, login, data_dir):
    client = login(users["bureau"])
    response = _upload(
        client, "police", csv_bytes(POLICE, [police_row("王小海", KID)]), as_of="2999-01-01"
    )
    assert response.status_code == 200 and "as_of" in response.context["form"].errors


def test_list_shows_own_department_only_and_other_batches_are_404(users, login, data_dir, tmp_path):
    police = feed_import(
        by=None,
        source="police",
        path=write_csv(tmp_path / "p.csv", POLICE, [police_row("王小海", KID)]),
    )
    edu = feed_import(
        by=None, source="education", path=write_csv(tmp_path / "e.csv", EDU, _edu_rows(2))
    )
    client = login(users["dataofficer"])
    listed = client.get(reverse("screening:feed_list"))
    assert [b.pk for b in listed.context["page"]] == [edu.batch.pk]
    assert client.get(reverse("screening:feed_detail", args=[police.batch.pk])).status_code == 404
    assert client.get(reverse("screening:feed_detail", args=[edu.batch.pk])).status_code == 200
    assert client.get(reverse("screening:feed_detail", args=[99999])).status_code == 404
    bureau = login(users["bureau"])
    assert {b.pk for b in bureau.get(reverse("screening:feed_list")).context["page"]} == {
        police.batch.pk,
        edu.batch.pk,
    }
    assert bureau.get(reverse("screening:feed_detail", args=[police.batch.pk])).status_code == 200


def test_wrong_methods(users, login, data_dir):
    client = login(users["bureau"])
    assert client.post(reverse("screening:feed_list")).status_code == 405
    assert client.put(reverse("screening:feed_upload")).status_code == 405


def test_list_query_count_does_not_grow(
    users, login, data_dir, tmp_path, django_assert_num_queries
):
    for i in range(3):
        rows = [police_row(f"人{i}", KID, seq=i + 1)]
        feed_import(
            by=users["bureau"], source="police", path=write_csv(tmp_path / f"{i}.csv", POLICE, rows)
        )
    client = login(users["bureau"])
    # Session and user, the layout's division, the count, one page of batches with their
    # importers, and the session's idle-timeout refresh (savepoint, update, release).
    with django_assert_num_queries(8):
        response = client.get(reverse("screening:feed_list"))
    assert len(response.context["page"]) == 3


def test_detail_pages_the_rejected_rows(users, login, data_dir, tmp_path, settings):
    settings.HUHANG_PAGE_SIZE = 5
    rows = [police_row(f"人{i}", KID, seq=i + 1, 人员状态="未知") for i in range(12)]
    result = feed_import(by=None, source="police", path=write_csv(tmp_path / "p.csv", POLICE, rows))
    client = login(users["bureau"])
    url = reverse("screening:feed_detail", args=[result.batch.pk])
    first = client.get(url)
    assert len(first.context["page"]) == 5 and first.context["page"].paginator.num_pages == 3
    last = client.get(url + "?page=3", headers={"HX-Request": "true"})
    assert len(last.context["page"]) == 2
    assert "<html" not in last.content.decode()
