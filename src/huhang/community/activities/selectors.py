"""Reads of the activities: the list, one activity with its organisers, partners, photos and the
enrolled children (as the user may see them), suggestions of eligible children, the photos."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from huhang.accounts.models import Organisation, User
from huhang.community import eligibility
from huhang.community.models import Activity, ActivityPhoto, Enrolment
from huhang.community.selectors import ChildRow, child_rows, count_of
from huhang.core import scope
from huhang.core.access import get_or_404
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.registry.models import Child


@dataclass(frozen=True)
class ActivityFilter:
    kind: str = ""
    station: int | None = None
    year: int | None = None


def activity_list(*, user: User, filters: ActivityFilter | None = None) -> QuerySet[Activity]:
    filters = filters or ActivityFilter()
    qs = scope.visible(user, Activity)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.station:
        qs = qs.filter(station_id=filters.station)
    if filters.year:
        qs = qs.filter(held_on__year=filters.year)
    enrolments = Enrolment.objects.all()
    return (
        qs.select_related("station")
        .annotate(
            n_enrolled=count_of(enrolments, "activity"),
            n_attended=count_of(enrolments.filter(attended=True), "activity"),
        )
        .order_by("-held_on", "-pk")
    )


def activity_for_user(*, user: User, pk: object) -> Activity:
    """The activity if the user may see it; 404 otherwise."""
    return scope.get(user, Activity, pk, "station__division", "project")


@dataclass(frozen=True)
class ActivityDetail:
    organisers: list[User]
    partners: list[Organisation]
    photos: list[ActivityPhoto]


def activity_detail(*, activity: Activity) -> ActivityDetail:
    return ActivityDetail(
        organisers=list(activity.organisers.order_by("username")),
        partners=list(activity.partners.order_by("name")),
        photos=list(activity.photos.order_by("uploaded_at", "pk")),
    )


def enrolment_rows(*, user: User, activity: Activity) -> list[ChildRow[Enrolment]]:
    """The enrolled children as this user may see them; each shown child is audited."""
    enrolments = list(
        Enrolment.objects.filter(activity=activity)
        .select_related("child__person", "child__division")
        .order_by("enrolled_at", "pk")
    )
    return child_rows(user=user, records=enrolments, on=activity.held_on)


def enrolment_for_user(*, user: User, activity: Activity, pk: object) -> Enrolment:
    """An enrolment of the activity whose child the user may see; 404 otherwise."""
    enrolments = activity.enrolments.filter(child__in=scope.visible(user, Child))
    return get_or_404(enrolments.select_related("child__person"), pk)


def child_is_eligible(*, activity: Activity, child: Child) -> bool:
    """Whether the child meets the activity's age band and categories on its day."""
    return (
        eligibility.eligible(
            Child.objects.filter(pk=child.pk),
            on=activity.held_on,
            min_age=activity.min_age,
            max_age=activity.max_age,
            categories=activity.categories,
        )
    ).exists()


def enrolment_suggestions(*, user: User, activity: Activity, limit: int = 30) -> list[Child]:
    """Eligible children in the user's scope not yet enrolled, for one-click enrolment."""
    if not can(user, "registry.edit"):
        return []
    qs = eligibility.eligible(
        scope.visible(user, Child),
        on=activity.held_on,
        min_age=activity.min_age,
        max_age=activity.max_age,
        categories=activity.categories,
    ).exclude(activity_enrolments__activity=activity)
    return list(qs.select_related("person", "division").order_by("division_id", "pk")[:limit])


def photo_for_user(*, user: User, pk: object) -> ActivityPhoto:
    """A photo of an activity the user may see (404 otherwise). Activity photos may show
    children: each opening is on the audit trail."""
    photos = ActivityPhoto.objects.filter(activity__in=scope.visible(user, Activity))
    photo = get_or_404(photos.select_related("activity"), pk)
    audit_record(
        by=user,
        action=AuditAction.DOWNLOAD,
        object_type="activityphoto",
        object_id=photo.pk,
        label=str(photo.activity),
    )
    return photo
