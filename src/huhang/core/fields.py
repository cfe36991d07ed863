"""Model field helpers shared by the apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def user_fk(label, **kwargs) -> models.ForeignKey:
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
