"""Model field helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def user_fk(label=None, **kwargs) -> models.ForeignKey:
    """Who did something: a user kept by PROTECT (users are deactivated, never deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        related_name="+",
        **kwargs,
    )


def actor_fk(label=None, *, blank: bool = True) -> models.ForeignKey:
    """Who did something, where the record outlives the user's row: emptied (SET_NULL) if the
    user is ever deleted; the audit trail keeps the name."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def optional_fk(
    to: Any, label=None, *, related_name: str | None = None, on_delete: Any = models.PROTECT
) -> models.ForeignKey:
    """A link that may be empty (null in the database, optional in forms); what it points to is
    kept by PROTECT unless `on_delete` says otherwise."""
    return models.ForeignKey(
        to,
        verbose_name=label,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
    )


def division_fk(label, *, related_name: str | None = None) -> models.ForeignKey:
    """Where a record stands in the division tree, which decides who sees it (core.scope); a
    division with records is kept (PROTECT)."""
    return models.ForeignKey(
        "regions.Division", verbose_name=label, on_delete=models.PROTECT, related_name=related_name
    )
