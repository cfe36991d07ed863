"""Attached documents: only real images and PDFs, within size, served only through the checked view."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huhang.core.models import AuditEvent
from huhang.registry.models import Document

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def upload(client, child, name, content, kind="scan"):
    url = reverse("registry:document_create", args=[child.pk])
    return client.post(
        url, {"kind": kind, "title": "户口本", "file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize(("name", "content"), [("scan.png", PNG), ("证明.pdf", PDF)])
def test_upload_and_download(name, content, users, children, login, settings):
    client = login(users["director"])
    child = children["xiaohai"]
    response = upload(client, child, name, content)
    assert response.status_code == 302
    document = Document.objects.get(child=child)
    # Stored under the data directory, not under the static root, with a name we chose.
    assert document.file.path.startswith(str(settings.DATA_DIR / "documents"))
    assert name not in document.file.name
    download = client.get(reverse("registry:document_download", args=[document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="download", object_id=str(child.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("photo.jpg", EXE, "不符"),  # an .exe renamed .jpg
        ("photo.png", PDF, "不符"),
        ("tool.exe", EXE, "只能上传"),
        ("noext", PNG, "只能上传"),
        ("empty.png", b"", ""),
    ],
)
def test_disguised_or_wrong_files_are_refused(name, content, words, users, children, login):
    response = upload(login(users["director"]), children["xiaohai"], name, content)
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()


def test_oversized_file_is_refused(users, children, login, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    big = PNG + b"\x00" * 2048
    response = upload(login(users["director"]), children["xiaohai"], "big.png", big)
    assert "过大" in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()


def test_download_out_of_scope_is_404(users, children, login):
    upload(login(users["director"]), children["xiaohai"], "scan.png", PNG)
    document = Document.objects.get()
    url = reverse("registry:document_download", args=[document.pk])
    assert login(users["director2"]).get(url).status_code == 404
    assert login(users["partner"]).get(url).status_code == 403
    assert login(users["bureau"]).get(url).status_code == 200


def test_documents_are_not_reachable_as_static_files(users, children, login, client):
    upload(login(users["director"]), children["xiaohai"], "scan.png", PNG)
    document = Document.objects.get()
    assert client.get("/static/" + document.file.name).status_code == 404
    assert client.get("/media/" + document.file.name).status_code in (302, 404)


def test_the_file_bytes_on_disk_match_the_digest(users, children, login):
    import hashlib

    upload(login(users["director"]), children["xiaohai"], "scan.png", PNG)
    document = Document.objects.get()
    with document.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == document.sha256
    assert io.BytesIO(PNG).getbuffer().nbytes == document.size
