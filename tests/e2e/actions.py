"""Steps the browser tests share."""

from __future__ import annotations


def log_out(page) -> None:
    """Press 退出: on a phone it sits in the main menu, folded behind its button."""
    toggle = page.get_by_role("button", name="菜单")
    if toggle.is_visible():
        toggle.click()
    page.get_by_role("button", name="退出").click()
