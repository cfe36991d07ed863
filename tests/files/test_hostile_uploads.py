"""Every upload is checked for what it would cost before anything reads it (issue 11, part 1):
pictures by the pixels their header declares, bank return files like feeds (size, zip members,
extent, rows). The hostile files are built here."""

from __future__ import annotations

import struct
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huhang.core import uploads
from huhang.core.exceptions import DomainError
from tests.files.hostile import bomb_xlsx, sparse_xlsx


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def _webp(width: int, height: int) -> bytes:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


@pytest.mark.parametrize(
    ("name", "build"), [("bomb.png", _png), ("bomb.jpg", _jpeg), ("bomb.webp", _webp)]
)
def test_a_picture_declaring_a_huge_canvas_is_refused(name, build):
    upload = SimpleUploadedFile(name, build(60_000, 60_000))
    assert upload.size < 200
    with pytest.raises(DomainError, match="60000 × 60000 像素，超过上限"):
        uploads.check_upload(upload)


@pytest.mark.parametrize(
    ("name", "build"), [("ok.png", _png), ("ok.jpg", _jpeg), ("ok.webp", _webp)]
)
def test_a_picture_of_a_phone_camera_passes(name, build):
    assert uploads.check_upload(SimpleUploadedFile(name, build(4000, 3000)))[0] in {
        "png",
        "jpg",
        "webp",
    }


def test_a_picture_whose_size_cannot_be_read_is_refused():
    broken = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
    with pytest.raises(DomainError, match="无法读取图片的尺寸"):
        uploads.check_upload(SimpleUploadedFile("x.jpg", broken))


@pytest.fixture
def exported(users, bureau2, entitled, standards):
    """March 2026 exported (the shapes of the return file matter here, not the money)."""
    from huhang.benefits.payroll import bankfile
    from huhang.benefits.payroll import services as payroll

    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    payroll.run_approve(by=bureau2, run=run)
    bankfile.export_bytes(by=users["bureau"], run=run, fmt="xlsx")
    run.refresh_from_db()
    return run


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda: sparse_xlsx(["明细编号", "金额"]), "1,048,576 行，超过上限 16 行"),
        (lambda: bomb_xlsx(8), "疑似压缩炸弹"),
    ],
    ids=["sparse", "bomb"],
)
def test_a_hostile_return_file_is_refused_at_once(users, exported, content, message):
    from huhang.benefits.payroll import bankfile

    with pytest.raises(DomainError, match=message):
        bankfile.reconcile_run(by=users["bureau"], run=exported, data=content())
    exported.refresh_from_db()
    assert exported.status == "exported"


def test_a_return_file_over_its_size_limit_is_refused(users, exported, settings):
    from huhang.benefits.payroll import bankfile

    settings.HUHANG_RETURN_FILE_MAX_BYTES = 1000
    with pytest.raises(DomainError, match="文件过大"):
        bankfile.reconcile_run(by=users["bureau"], run=exported, data=b"x" * 2000)
