"""Draw the app's icons (manifest, home screen, favicon) from the shield of core/static/huhang/icon.svg.

    .venv/bin/python tools/make_icons.py

writes src/huhang/core/static/huhang/icons/: icon-192.png, icon-512.png, maskable-512.png (the
shield inside the safe zone of a maskable icon), apple-touch-icon.png (180 px) and favicon.ico
(16, 32, 48 px). The files are committed; tests/core/test_offline_app.py checks their sizes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "src/huhang/core/static/huhang/icons"
RED = (185, 28, 28, 255)
WHITE = (255, 255, 255, 255)
# The shield of icon.svg in its 32-unit box: M16 6 c-4 3 -7 3 -9 3 v7 c0 5 4 9 9 11 5-2 9-6 9-11 V9 c-2 0-5 0-9-3z
SHIELD = [
    (16, 6),
    (12, 8.4),
    (7, 9),
    (7, 16),
    (8.5, 21),
    (12, 24.8),
    (16, 27),
    (20, 24.8),
    (23.5, 21),
    (25, 16),
    (25, 9),
    (20, 8.4),
]


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    scale = 4  # drawn large, then scaled down: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=RED)
        inset, unit = big * 0.2, big * 0.6 / 32  # the shield within the 80 % safe zone
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 / 32, fill=RED)
        inset, unit = 0, big / 32
    pen.polygon([(inset + x * unit, inset + y * unit) for x, y in SHIELD], fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192).save(OUT / "icon-192.png", optimize=True)
    draw(512).save(OUT / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    draw(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
