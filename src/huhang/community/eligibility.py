"""Who may take part in an activity or receive a resource: one set-based definition for both.

A child qualifies on a day when it is in the registry (status active), its age on that day lies in
the age band, and (if categories are given) it holds one of them approved and in effect that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from huhang.registry.models import CategoryAssignment, CategoryStatus, ChildStatus


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def age_band_q(on: date, min_age: int | None, max_age: int | None, field: str) -> Q:
    """Birth dates (in `field`) of children aged min_age..max_age full years on `on`."""
    q = Q()
    if min_age is not None:
        q &= Q(**{f"{field}__lte": years_before(on, min_age)})
    if max_age is not None:
        q &= Q(**{f"{field}__gt": years_before(on, max_age + 1)})
    return q


def approved_category_on(on: date, categories: Iterable[str]) -> Exists:
    return Exists(
        CategoryAssignment.objects.filter(
            Q(effective_from__isnull=True) | Q(effective_from__lte=on),
            Q(effective_to__isnull=True) | Q(effective_to__gte=on),
            child_id=OuterRef("pk"),
            category__in=list(categories),
            status=CategoryStatus.APPROVED,
        )
    )


def eligible(
    children: QuerySet[Any],
    *,
    on: date,
    min_age: int | None,
    max_age: int | None,
    categories: Iterable[str],
) -> QuerySet[Any]:
    """`children` (registry.Child, already scoped) narrowed to those who qualify on `on`."""
    # The child row's copy of the birth date (kept in step by the registry services) answers
    # the age band from the child's own index, without joining the person table.
    qs = children.filter(
        age_band_q(on, min_age, max_age, "search_birth"), status=ChildStatus.ACTIVE
    )
    if categories:
        qs = qs.filter(approved_category_on(on, categories))
    return qs
