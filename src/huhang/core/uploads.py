"""Checks every uploaded file passes before anything is stored: the type its name claims must be
the type its bytes are, within the size limit (settings.DOCUMENT_MAX_BYTES), and not empty; a
picture may not claim more pixels than settings.HUHANG_IMAGE_MAX_PIXELS (a decompression bomb is
a small PNG of a huge canvas: its header says so, and is read before anything decodes it); and
storing a checked file with the record that points to it."""

from __future__ import annotations

import hashlib
import struct
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
    if kind.mime.startswith("image/"):
        _check_pixels(upload, kind.mime)
    return ("jpg" if extension == "jpeg" else extension), expected


_IMAGE_HEAD = 1024 * 1024  # a JPEG's frame header follows its metadata (at most ~64 KB each)


def _check_pixels(upload: UploadedFile, mime: str) -> None:
    upload.seek(0)
    head = upload.read(_IMAGE_HEAD)
    upload.seek(0)
    size = image_size(head, mime)
    if size is None:
        raise DomainError(_("无法读取图片的尺寸，图片可能已损坏。"), field="file")
    width, height = size
    if width * height > settings.HUHANG_IMAGE_MAX_PIXELS:
        raise DomainError(
            _("图片尺寸为 %(w)s × %(h)s 像素，超过上限 %(max)s 万像素。")
            % {"w": width, "h": height, "max": settings.HUHANG_IMAGE_MAX_PIXELS // 10_000},
            field="file",
        )


def image_size(head: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) a PNG, JPEG or WEBP declares in its first bytes; None if not found."""
    try:
        if mime == "image/png" and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if mime == "image/jpeg":
            return _jpeg_size(head)
        if mime == "image/webp":
            return _webp_size(head)
    except (struct.error, IndexError):
        return None
    return None


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


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
