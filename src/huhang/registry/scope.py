"""Visibility of the registry (registered with core.scope).

A division-bound user with registry.view sees the children of its subtree; a social worker sees
the children entrusted to its organisation (`ChildAssignment`) while the assignment runs;
partners, data officers and auditors see no registry record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from huhang.core import scope
from huhang.core.roles import Role, can
from huhang.registry.models import (
    ArchiveMerge,
    CategoryAssignment,
    Child,
    Document,
    DuplicateReview,
)


@scope.rule(Child)
def children(user: Any, qs: QuerySet[Child]) -> QuerySet[Child]:
    if not can(user, "registry.view"):
        return qs.none()
    if user.role == Role.SOCIAL_WORKER:
        today = timezone.localdate()
        return qs.filter(
            Q(assignments__until__isnull=True) | Q(assignments__until__gte=today),
            assignments__organisation_id=user.organisation_id,
            assignments__since__lte=today,
        ).distinct()
    return scope.within(user, qs, "division_id")


@scope.rule(CategoryAssignment)
def categories(user: Any, qs: QuerySet[CategoryAssignment]) -> QuerySet[CategoryAssignment]:
    """A child's category assignments: those of the children the user sees."""
    return qs.filter(child__in=scope.visible(user, Child))


@scope.rule(Document)
def documents(user: Any, qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.filter(child__in=scope.visible(user, Child))


@scope.rule(DuplicateReview)
def duplicates(user: Any, qs: QuerySet[DuplicateReview]) -> QuerySet[DuplicateReview]:
    """A pair is the bureau's to decide; it sees pairs whose both archives it sees."""
    if not can(user, "registry.merge"):
        return qs.none()
    visible = scope.visible(user, Child)
    return qs.filter(first__in=visible, second__in=visible)


@scope.rule(ArchiveMerge)
def merges(user: Any, qs: QuerySet[ArchiveMerge]) -> QuerySet[ArchiveMerge]:
    if not can(user, "registry.merge"):
        return qs.none()
    visible = scope.visible(user, Child)
    return qs.filter(kept__in=visible, merged__in=visible)
