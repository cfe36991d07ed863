"""Reads of the partners and their charity resources: lists, a partner with its contacts,
agreements and resources, a resource's list of children, and the matching of a resource to the
children who qualify for it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from huhang.accounts.models import User
from huhang.community import eligibility
from huhang.community.models import (
    Activity,
    Agreement,
    Allocation,
    AllocationStatus,
    PartnerContact,
    PartnerProfile,
    Resource,
)
from huhang.community.selectors import ChildRow, child_rows, count_of
from huhang.core import scope
from huhang.core.access import get_or_404
from huhang.core.divisions import subtree_q
from huhang.registry.models import ALLOWANCE_CATEGORIES, Child


def partner_list(*, user: User) -> QuerySet[PartnerProfile]:
    return (
        scope.visible(user, PartnerProfile)
        .select_related("organisation")
        .annotate(
            n_resources=count_of(Resource.objects.all(), "partner_id", key="organisation_id"),
            n_activities=count_of(
                Activity.partners.through.objects.all(), "organisation_id", key="organisation_id"
            ),
        )
        .order_by("organisation__kind", "organisation__name")
    )


def partner_for_user(*, user: User, pk: object) -> PartnerProfile:
    """The partner if the user may see it; 404 otherwise."""
    return scope.get(user, PartnerProfile, pk, "organisation")


@dataclass(frozen=True)
class PartnerDetail:
    contacts: list[PartnerContact]
    agreements: list[Agreement]
    resources: list[Resource]


def partner_detail(*, user: User, partner: PartnerProfile) -> PartnerDetail:
    """The partner's contacts and agreements, and the resources it offers that the user may see."""
    resources = scope.visible(user, Resource).filter(partner_id=partner.organisation_id)
    return PartnerDetail(
        contacts=list(partner.contacts.all()),
        agreements=list(partner.agreements.all()),
        resources=list(resources.order_by("-available_on")),
    )


def agreement_for_user(*, user: User, pk: object) -> Agreement:
    """An agreement of a partner the user may see; 404 otherwise."""
    agreements = Agreement.objects.filter(partner__in=scope.visible(user, PartnerProfile))
    return get_or_404(agreements.select_related("partner"), pk)


def resource_list(*, user: User) -> QuerySet[Resource]:
    allocations = Allocation.objects.all()
    return (
        scope.visible(user, Resource)
        .select_related("partner")
        .annotate(
            n_confirmed=count_of(allocations.filter(status=AllocationStatus.CONFIRMED), "resource"),
            n_proposed=count_of(allocations.filter(status=AllocationStatus.PROPOSED), "resource"),
        )
        .order_by("-available_on", "-pk")
    )


def resource_for_user(*, user: User, pk: object) -> Resource:
    """The resource if the user may see it; 404 otherwise."""
    return scope.get(user, Resource, pk, "partner")


def allocation_rows(*, user: User, resource: Resource) -> list[ChildRow[Allocation]]:
    """The resource's list as this user may see it (partner staff: given name and age)."""
    allocations = list(
        resource.allocations.select_related("child__person", "child__division").order_by(
            "status", "rank", "pk"
        )
    )
    return child_rows(user=user, records=allocations, on=resource.available_on)


def matching_children(*, user: User, resource: Resource) -> QuerySet[Child]:
    """Children the resource may go to, best first, limited to what is left of its quantity.

    Set-based: one query. Eligible = in the user's scope, in one of the resource's divisions
    (if any), of an approved category in effect and of the age band on the resource's date,
    and not already on this resource's list. Order: children who received least from charity
    so far first, then orphans and DFUC before other categories, then the older (closer to
    ageing out), then archive number — stable, explainable.
    """
    on = resource.available_on
    qs = eligibility.eligible(
        scope.visible(user, Child),
        on=on,
        min_age=resource.min_age,
        max_age=resource.max_age,
        categories=resource.categories,
    )
    division_codes = list(resource.divisions.values_list("code", flat=True))
    if division_codes:
        area = Q()
        for code in division_codes:
            area |= subtree_q(code, "division_id")
        qs = qs.filter(area)
    already = Allocation.objects.filter(resource=resource, child_id=OuterRef("pk"))
    priority = eligibility.approved_category_on(on, ALLOWANCE_CATEGORIES)
    left = (
        resource.quantity - resource.allocations.filter(status=AllocationStatus.CONFIRMED).count()
    )
    return (
        qs.exclude(Exists(already))
        .select_related("person", "division")
        .annotate(
            received=Count(
                "resource_allocations",
                filter=Q(resource_allocations__status=AllocationStatus.CONFIRMED),
            ),
            priority=priority,
        )
        .order_by("received", "-priority", "search_birth", "pk")[: max(left, 0)]
    )
