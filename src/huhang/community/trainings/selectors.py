"""Reads of the trainings: the list, one training with its attendance, a person's training record
and the hours of the supervisors and directors of the user's subtree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from huhang.accounts.models import User
from huhang.community.models import Training, TrainingAttendance
from huhang.community.selectors import count_of
from huhang.core import scope
from huhang.core.access import get_or_404


def training_list(*, user: User) -> QuerySet[Training]:
    return (
        scope.visible(user, Training)
        .select_related("division", "station")
        .annotate(n_attended=count_of(TrainingAttendance.objects.all(), "training"))
        .order_by("-held_on", "-pk")
    )


def training_for_user(*, user: User, pk: object) -> Training:
    """The training if the user may see it; 404 otherwise."""
    return scope.get(user, Training, pk, "division", "station")


def training_attendance(*, training: Training) -> list[TrainingAttendance]:
    return list(training.attendance.select_related("user__division").order_by("user__username"))


@dataclass(frozen=True)
class TrainingRecord:
    person: User
    rows: list[TrainingAttendance]
    total_hours: Decimal


def training_record(*, user: User, person: User) -> TrainingRecord:
    """A person's training record (我的培训, or the bureau's view of one of its staff: the
    caller got `person` from person_for_user)."""
    rows = list(
        TrainingAttendance.objects.filter(user=person)
        .select_related("training__division")
        .order_by("-training__held_on", "-pk")
    )
    total = sum((r.training.hours for r in rows), Decimal("0"))
    return TrainingRecord(person=person, rows=rows, total_hours=total)


def training_people_hours(*, user: User) -> QuerySet[User]:
    """Supervisors and directors of the user's subtree with their hours, least trained first."""
    return (
        scope.visible(user, User, "training")
        .select_related("division")
        .annotate(
            n_trainings=Count("training_attendance"),
            total_hours=Coalesce(Sum("training_attendance__training__hours"), Decimal("0")),
        )
        .order_by("total_hours", "division_id", "username")
    )


def person_for_user(*, user: User, pk: object) -> User:
    """A supervisor or director whose training record the user may see; 404 otherwise."""
    return get_or_404(scope.visible(user, User, "training").select_related("division"), pk)
