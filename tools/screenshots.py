"""Take the README screenshots from a running Huhang server with the demo data.

    make demo                                   # serves http://127.0.0.1:8000
    .venv/bin/python tools/screenshots.py http://127.0.0.1:8000

Writes, under docs/ (or --out):
  screenshot-list-mobile.png     children list at 360 × 740 after searching "xh" (as `director`)
  screenshot-archive-mobile.png  王小海's archive at 360 px, the whole page (as `director`)
  screenshot-list-desktop.png    children list at 1280 × 800 (as `bureau`)
  screenshot-home-mobile.png     a director's day at 360 × 740: visits due, the big button,
                                 risk colours, the menu folded (as `director`)
  screenshot-menu-mobile.png     the same phone with the menu open (as `director`)
  screenshot-inbox-desktop.png   the inbox at 1366 × 800, grouped by kind (as `bureau`)

Uses Debian's chromium (/usr/bin/chromium, or --chromium); Playwright's own browser download
is not needed. A Chinese font must be installed (Debian: fonts-noto-cjk or fonts-wqy-microhei),
or every character comes out as an empty box.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# Phones are pictured at their usual 2× density, the desktop at 1× (keeps the PNG small).
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
WIDE = {"viewport": {"width": 1366, "height": 800}, "device_scale_factor": 1}
CHILD = "王小海"  # the demo data always has this child, in the director's community
SEARCH = "xh"
TIMEOUT_MS = 15_000


def _page(browser: Browser, base: str, username: str, password: str, device: dict) -> Page:
    """A logged-in page in a fresh context, showing the children list."""
    context = browser.new_context(locale="zh-CN", **device)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next=/children/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"{base}/children/**")
    expect(page.locator("#results").last).to_be_visible()
    return page


def _search(page: Page, text: str) -> None:
    with page.expect_response(
        lambda r: r.request.headers.get("hx-request") == "true" and f"q={text}" in r.url
    ):
        page.get_by_role("searchbox").fill(text)
    page.wait_for_url(f"**q={text}*")
    # Wait for htmx to finish swapping and settling before the picture is taken.
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def take(base: str, out: Path, password: str, chromium: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = {
        name: out / f"screenshot-{name}.png"
        for name in (
            "list-mobile",
            "archive-mobile",
            "list-desktop",
            "home-mobile",
            "menu-mobile",
            "inbox-desktop",
        )
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = _page(browser, base, "director", password, PHONE)
            _search(page, SEARCH)
            child = page.locator("#results").last.get_by_role("link", name=CHILD, exact=True)
            expect(child.first).to_be_visible()
            page.screenshot(path=shots["list-mobile"])
            child.first.click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(CHILD)
            page.screenshot(path=shots["archive-mobile"], full_page=True)
            page.context.close()

            page = _page(browser, base, "bureau", password, DESKTOP)
            page.screenshot(path=shots["list-desktop"])
            page.context.close()

            page = _page(browser, base, "director", password, PHONE)
            page.goto(f"{base}/")
            expect(page.locator("#day")).to_be_visible()
            page.screenshot(path=shots["home-mobile"])
            page.get_by_role("button", name="菜单").click()
            expect(page.get_by_role("navigation", name="主菜单")).to_be_visible()
            page.screenshot(path=shots["menu-mobile"])
            page.context.close()

            page = _page(browser, base, "bureau", password, WIDE)
            page.goto(f"{base}/inbox/")
            page.screenshot(path=shots["inbox-desktop"])
            page.context.close()
        finally:
            browser.close()
    return list(shots.values())


def has_chinese_font() -> bool:
    """Without a CJK font chromium draws every Chinese character as an empty box."""
    if shutil.which("fc-list") is None:
        return True  # cannot tell; let chromium try
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="default: docs/")
    parser.add_argument("--password", default="huhang-demo", help="of the demo accounts")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    if not has_chinese_font():
        parser.exit(
            1,
            "No Chinese font is installed: the screenshots would show boxes instead of text.\n"
            "Install one first, e.g. `apt-get install fonts-noto-cjk` (or fonts-wqy-microhei).\n",
        )
    for path in take(args.base_url.rstrip("/"), args.out, args.password, args.chromium):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
