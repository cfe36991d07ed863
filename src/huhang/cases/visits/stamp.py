"""A visit photo stamped with when and where it was taken (issue 13, part 3), drawn with Pillow.

The stamp is a dark band along the bottom of the picture with one line of text: the visit's
date, the time the phone saved the visit (China Standard Time) and the place — the phone's
coordinates with their accuracy when the visitor sent them, and the child's community. The
original picture is never changed: the stamped copy is stored beside it (services.py).

The text uses a font with Chinese characters when one is found (setting HUHANG_STAMP_FONT, then
the usual system paths); without one, the community's name is left out and the line stays in
Latin letters and digits, which every font has.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont, ImageFont

    from huhang.cases.models import HomeVisit

# Fonts with Chinese characters on common Linux systems (Debian's fonts-noto-cjk, wqy).
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


def caption(visit: HomeVisit, taken_at: datetime) -> tuple[str, str]:
    """(the line in Latin letters, the community's name): the place's name is drawn only with a
    font that has its characters."""
    local = timezone.localtime(taken_at)
    parts = [f"{visit.visited_on.isoformat()} {local.strftime('%H:%M')}"]
    if visit.latitude is not None and visit.longitude is not None:
        lat, lon = float(visit.latitude), float(visit.longitude)
        parts.append(
            f"{abs(lat):.5f}{'N' if lat >= 0 else 'S'} {abs(lon):.5f}{'E' if lon >= 0 else 'W'}"
            f" ±{visit.accuracy_m} m"
        )
    return " · ".join(parts), visit.child.division.name


@cache
def _font_path(cjk: bool) -> str | None:
    configured = getattr(settings, "HUHANG_STAMP_FONT", "")
    candidates = ((configured,) if configured else ()) + (CJK_FONTS if cjk else LATIN_FONTS)
    return next((p for p in candidates if p and Path(p).is_file()), None)


def _font(size: int) -> tuple[FreeTypeFont | ImageFont, bool]:
    """A font of `size` px and whether it has Chinese characters."""
    from PIL import ImageFont

    for cjk in (True, False):
        path = _font_path(cjk)
        if path:
            return ImageFont.truetype(path, size), cjk
    return ImageFont.load_default(size), False


def stamp_photo(data: bytes, text: tuple[str, str]) -> bytes | None:
    """The picture in `data` as a JPEG with `text` in a band along its bottom; None when the
    bytes are not a picture Pillow reads. (core.uploads has already refused a picture of more
    than HUHANG_IMAGE_MAX_PIXELS before it was stored.)"""
    from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            picture = ImageOps.exif_transpose(opened).convert("RGB")
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ):
        # Not a picture Pillow reads to the end (truncated, a bomb, a format it lacks).
        return None
    width, height = picture.size
    size = max(12, min(width, height) // 28)
    font, cjk = _font(size)
    line, place = text
    words = f"{line} · {place}" if cjk and place else line
    draw = ImageDraw.Draw(picture, "RGBA")
    _left, top, _right, bottom = draw.textbbox((0, 0), words, font=font)
    band = (bottom - top) + size
    draw.rectangle((0, height - band, width, height), fill=(0, 0, 0, 150))
    draw.text((size // 2, height - band + size // 2 - top), words, font=font, fill="white")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=88)
    return out.getvalue()
