"""Visibility of screening (registered with core.scope).

Leads (线索) and uncertain links are routed to a division: a director's community, a supervisor's
street, the bureau's district see theirs. Feed batches: the bureau all, a data officer only its
own department's source. Screening runs are the whole installation's, for the roles that run them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huhang.core import scope
from huhang.core.roles import Role, can
from huhang.screening.models import FeedBatch, Lead, LinkReview, ScreeningRun


@scope.rule(Lead)
def leads(user: Any, qs: QuerySet[Lead]) -> QuerySet[Lead]:
    if not can(user, "lead.verify"):
        return qs.none()
    return scope.within(user, qs, "division_id")


@scope.rule(LinkReview)
def link_reviews(user: Any, qs: QuerySet[LinkReview]) -> QuerySet[LinkReview]:
    if not can(user, "link.review"):
        return qs.none()
    return scope.within(user, qs, "division_id")


@scope.rule(FeedBatch)
def feed_batches(user: Any, qs: QuerySet[FeedBatch]) -> QuerySet[FeedBatch]:
    if not can(user, "feed.upload"):
        return qs.none()
    if user.role == Role.DATA_OFFICER:
        department = getattr(getattr(user, "organisation", None), "department", "")
        return qs.filter(source=department) if department else qs.none()
    return qs


@scope.rule(ScreeningRun)
def screening_runs(user: Any, qs: QuerySet[ScreeningRun]) -> QuerySet[ScreeningRun]:
    return qs if can(user, "screening.run") else qs.none()
