"""Visibility of community work (registered with core.scope): workstations, activities,
trainings, partners and charity resources.

Division-bound users who see community work see their subtree's stations, activities and
trainings (and a training they attended); partner staff see their own organisation's activities
and resources, and the stations hosting them. Partner profiles are district-wide information.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from huhang.accounts.models import User
from huhang.community.models import (
    Activity,
    PartnerProfile,
    Resource,
    Training,
    TrainingAttendance,
    Workstation,
)
from huhang.core import scope
from huhang.core.roles import Role, can


def _division_user(user: Any) -> bool:
    """A division-bound user who may see community work (partners are bound to organisations)."""
    return can(user, "community.view") and user.role != Role.PARTNER


def _partner(user: Any) -> bool:
    return can(user, "community.view") and user.role == Role.PARTNER


@scope.rule(Activity)
def activities(user: Any, qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Partner staff: activities organised by or with their organisation (as a partner, or by
    one of its staff)."""
    if _partner(user):
        if not user.organisation_id:
            return qs.none()
        org = user.organisation_id
        with_org = Activity.partners.through.objects.filter(
            activity_id=OuterRef("pk"), organisation_id=org
        )
        by_staff = Activity.organisers.through.objects.filter(
            activity_id=OuterRef("pk"), user__organisation_id=org
        )
        return qs.filter(Exists(with_org) | Exists(by_staff))
    if not _division_user(user):
        return qs.none()
    return scope.within(user, qs, "station__division_id")


@scope.rule(Workstation)
def stations(user: Any, qs: QuerySet[Workstation]) -> QuerySet[Workstation]:
    if _partner(user):
        hosted = scope.visible(user, Activity).filter(station_id=OuterRef("pk"))
        return qs.filter(Exists(hosted))
    if not _division_user(user):
        return qs.none()
    return scope.within(user, qs, "division_id")


@scope.rule(Workstation, "host")
def stations_to_host(user: Any, qs: QuerySet[Workstation]) -> QuerySet[Workstation]:
    """Stations a user may hold an activity at: its own; a partner any station (stations are
    public places, their pages need no login)."""
    if not can(user, "activity.manage"):
        return qs.none()
    if user.role == Role.PARTNER:
        return qs
    return stations(user, qs)


@scope.rule(Training)
def trainings(user: Any, qs: QuerySet[Training]) -> QuerySet[Training]:
    """Trainings organised in the user's subtree, or one it attended (a director attends the
    district's)."""
    where = scope.in_subtree(user, "division_id")
    if not _division_user(user) or where is None:
        return qs.none()
    attended = TrainingAttendance.objects.filter(training_id=OuterRef("pk"), user_id=user.pk)
    return qs.filter(where | Exists(attended))


@scope.rule(User, "training")
def training_people(user: Any, qs: QuerySet[User]) -> QuerySet[User]:
    """Supervisors and directors whose training record the user may see: its subtree's."""
    if not _division_user(user):
        return qs.none()
    return scope.within(user, qs, "division_id").filter(role__in=[Role.SUPERVISOR, Role.DIRECTOR])


@scope.rule(PartnerProfile)
def partners(user: Any, qs: QuerySet[PartnerProfile]) -> QuerySet[PartnerProfile]:
    if _partner(user):
        return qs.filter(organisation_id=user.organisation_id or 0)
    if not _division_user(user) or scope.division_prefix(user) is None:
        return qs.none()
    return qs


@scope.rule(Resource)
def resources(user: Any, qs: QuerySet[Resource]) -> QuerySet[Resource]:
    """A partner its own organisation's; division users those offered to their subtree, to an
    ancestor of it, or to nobody in particular (no divisions given)."""
    if _partner(user):
        return qs.filter(partner_id=user.organisation_id or 0)
    where = scope.reaching(user, "division_id")
    if not _division_user(user) or where is None:
        return qs.none()
    through = Resource.divisions.through.objects
    anywhere = ~Exists(through.filter(resource_id=OuterRef("pk")))
    reaches = Exists(through.filter(where, resource_id=OuterRef("pk")))
    return qs.filter(anywhere | reaches)
