"""The as-of forms of the screening pages: one `as_of` field under each page's words, and the
upload form's arguments for the import service."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from huhang.screening.feeds.forms import FeedUploadForm
from huhang.screening.runs.forms import RunStartForm


def test_each_form_words_its_as_of_day_and_refuses_a_day_after_today(db):
    start = RunStartForm()
    assert str(start.fields["as_of"].label) == "排查基准日"
    assert start["as_of"].initial == timezone.localdate()
    tomorrow = timezone.localdate() + timedelta(days=1)
    late = RunStartForm({"as_of": tomorrow.isoformat(), "engine": "duckdb"})
    assert late.errors["as_of"] == ["排查基准日不能晚于今天。"]


def test_the_upload_form_gives_the_import_services_arguments(users):
    today = timezone.localdate()
    upload = SimpleUploadedFile("students.csv", b"a,b\n1,2\n", content_type="text/csv")
    form = FeedUploadForm(
        {"source": "education", "as_of": today.isoformat()},
        {"file": upload},
        user=users["dataofficer"],
    )
    assert str(form.fields["as_of"].label) == "数据日期"
    assert form.is_valid(), form.errors
    assert form.service_kwargs() == {"source": "education", "as_of": today, "upload": upload}
