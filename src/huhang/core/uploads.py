"""Checks every uploaded file passes before anything is stored: the type its name claims must be
the type its bytes are, within the size limit (settings.DOCUMENT_MAX_BYTES), and not empty; and
storing a checked file with the record that points to it."""

from __future__ import annotations

import hashlib
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from huhang.core.exceptions import DomainError

# What may be attached: the extension the user gave must agree with what the bytes are.
DOCUMENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "webp": "image/webp",
}
IMAGE_TYPES = frozenset({"jpg", "png", "webp"})


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """(extension, content type) of an acceptable document or picture; DomainError otherwise."""
    original = upload.name or ""
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if extension not in DOCUMENT_TYPES:
        raise DomainError(_("只能上传 JPG、PNG、WEBP 图片或 PDF 文件。"), field="file")
    size = upload.size or 0
    if size > settings.DOCUMENT_MAX_BYTES:
        limit = settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
        raise DomainError(_("文件过大，不能超过 %(mb)d MB。") % {"mb": limit}, field="file")
    if size == 0:
        raise DomainError(_("文件为空。"), field="file")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    expected = DOCUMENT_TYPES[extension]
    if kind is None or kind.mime != expected:
        raise DomainError(
            _("文件内容与扩展名不符（扩展名为 .%(ext)s），已拒绝。") % {"ext": extension},
            field="file",
        )
    return ("jpg" if extension == "jpeg" else extension), expected


def sha256_of(upload: UploadedFile) -> str:
    """The file's SHA-256, read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def store(record: Any, upload: UploadedFile) -> None:
    """Save a new record with its (checked) file in its `file` field: the row is validated first
    (without the file), then the file written, then the row. If the row cannot be written, the
    stored file must not stay behind unreferenced."""
    record.full_clean(exclude=["file"])
    record.file.save(upload.name or "", upload, save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise
