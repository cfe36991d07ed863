"""Model field helpers for the apps whose records belong to a child's archive."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CHILD_LABEL = _("儿童")


def child_fk(related_name: str, label=CHILD_LABEL) -> models.ForeignKey:
    """The child a record belongs to, kept by PROTECT: an archive with records is never deleted
    (it is transferred or closed)."""
    return models.ForeignKey(
        "registry.Child", verbose_name=label, on_delete=models.PROTECT, related_name=related_name
    )
