"""What the screening commands share: the user that --user names, a date given as YYYY-MM-DD."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from huhang.accounts.models import User


def active_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有用户“{username}”，或该账号已停用。")
    return user


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(f"日期“{text}”应为 YYYY-MM-DD 格式，例如 2026-03-01。") from exc
