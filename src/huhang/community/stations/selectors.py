"""Reads of the workstations: the list, one station with its recent activities and staff, and the
public poster page (no login, no child)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from huhang.accounts.models import User
from huhang.community.models import Activity, Enrolment, Workstation
from huhang.community.selectors import count_of
from huhang.core import scope


def station_list(*, user: User) -> QuerySet[Workstation]:
    return (
        scope.visible(user, Workstation)
        .select_related("division")
        .annotate(n_activities=count_of(Activity.objects.all(), "station"))
        .order_by("division_id", "name")
    )


def station_for_user(*, user: User, pk: object) -> Workstation:
    """The station if the user may see it; 404 otherwise."""
    return scope.get(user, Workstation, pk, "division")


def station_detail(*, user: User, station: Workstation) -> tuple[Sequence[Activity], list[User]]:
    """The station's recent activities (those the user may see) and its staff."""
    recent = list(
        scope.visible(user, Activity)
        .filter(station=station)
        .order_by("-held_on", "-pk")
        .annotate(n_enrolled=count_of(Enrolment.objects.all(), "activity"))[:20]
    )
    staff = list(station.staff.select_related("division").order_by("role", "username"))
    return recent, staff


def public_station(*, key: object, today: date | None = None) -> tuple[Workstation, list[Activity]]:
    """The public page: the station and its recent held activities. Titles and kinds only —
    never a child, never a summary (summaries may name children). A station is a public place:
    anyone holding its (unguessable) key sees it."""
    today = today or timezone.localdate()
    station = get_object_or_404(Workstation.objects.select_related("division"), public_key=key)
    recent = list(
        Activity.objects.filter(station=station, held_on__lte=today)
        .order_by("-held_on", "-pk")
        .only("title", "kind", "held_on", "station_id")[:8]
    )
    upcoming = list(
        Activity.objects.filter(station=station, held_on__gt=today)
        .order_by("held_on", "pk")
        .only("title", "kind", "held_on", "station_id")[:5]
    )
    return station, recent + upcoming
