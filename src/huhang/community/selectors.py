"""Reads shared by the community's sub-domains, and the community's section of a child's archive.

Each sub-domain (stations, activities, trainings, partners, projects) reads in its own
`selectors.py`, always from core.scope. What they share lives here: the count of related rows as a
subquery (a list page stays one query however long it is) and the children on an activity's or a
resource's list as a user may see them — in full only to users who may open their archive, to
everyone else as given name and age (display.given_name)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from huhang.accounts.models import User
from huhang.community.display import given_name
from huhang.community.models import Allocation, AllocationStatus, Enrolment
from huhang.core import scope
from huhang.core.audit import audit_record_many
from huhang.core.facts import age_on
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.registry.models import Child
from huhang.registry.selectors import child_label

R = TypeVar("R", Enrolment, Allocation)


def count_of(
    model_qs: QuerySet[Any],
    outer: str,
    field: str = "pk",
    distinct: bool = False,
    *,
    key: str = "pk",
) -> Coalesce:
    """COUNT(field) of `model_qs` rows whose `outer` column equals the outer row's `key`."""
    sub = (
        model_qs.filter(**{outer: OuterRef(key)})
        .order_by()
        .values(outer)
        .annotate(n=Count(field, distinct=distinct))
        .values("n")[:1]
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class ChildRow(Generic[R]):
    """A line of a list about children (an enrolment, an allocation) as one user may see it."""

    record: R
    name: str  # full name for users who may open the archive, else the given name only
    age: int
    full: bool  # whether the row may link to the archive
    # The child's community (社区/村): with the given name and the age it tells two children
    # called 航 apart for a partner, who sees neither surname nor ID number.
    community: str = ""


def child_rows(*, user: User, records: Sequence[R], on: date) -> list[ChildRow[R]]:
    """`records` (their child, person and division loaded) with each child's name as `user` may see it
    and its age on `on`. Each child shown is on the audit trail, even as a given name."""
    visible = _visible_child_ids(user, [r.child_id for r in records])
    rows = []
    for record in records:
        person = record.child.person
        full = record.child_id in visible
        rows.append(
            ChildRow(
                record=record,
                name=person.name if full else given_name(person.name),
                age=age_on(person.birth_date, on),
                full=full,
                community=record.child.division.name,
            )
        )
    audit_record_many(
        by=user,
        action=AuditAction.VIEW,
        object_type="child",
        objects=(
            (r.record.child_id, child_label(r.record.child) if r.full else r.name) for r in rows
        ),
    )
    return rows


def _visible_child_ids(user: User, child_ids: list[int]) -> set[int]:
    if not can(user, "registry.view") or not child_ids:
        return set()
    return set(scope.visible(user, Child).filter(pk__in=child_ids).values_list("pk", flat=True))


def child_community(*, user: User, child: Child) -> dict[str, list[Any]]:
    """The archive's section (the caller already may see the child): the activities the child
    joined and what it received from charity resources (慈善+未保)."""
    enrolments = list(
        Enrolment.objects.filter(child=child)
        .select_related("activity__station")
        .order_by("-activity__held_on", "-pk")
    )
    receipts = list(
        Allocation.objects.filter(child=child, status=AllocationStatus.CONFIRMED)
        .select_related("resource__partner")
        .order_by("-received_on", "-pk")
    )
    return {"enrolments": enrolments, "receipts": receipts}
