"""Every read of the community app. Each starts from core.scope; children appear in full only to
users who may open their archive, to everyone else as given name and age (display.given_name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from huhang.accounts.models import User
from huhang.cases.models import ServiceProject, ServiceRecord
from huhang.community import eligibility
from huhang.community.display import given_name
from huhang.community.models import (
    Activity,
    Allocation,
    AllocationStatus,
    Enrolment,
    PartnerProfile,
    Resource,
    Training,
    TrainingAttendance,
    Workstation,
)
from huhang.core import scope
from huhang.core.audit import audit_record, audit_record_many
from huhang.core.facts import age_on
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.registry.models import Child
from huhang.registry.selectors import child_label


def _count_of(model_qs: QuerySet, outer: str, field: str = "pk", distinct: bool = False):
    """COUNT(field) of `model_qs` rows whose `outer` column equals the outer row's pk."""
    sub = (
        model_qs.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count(field, distinct=distinct))
        .values("n")[:1]
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


# --- Workstations ------------------------------------------------------------------------------


def station_list(*, user) -> QuerySet[Workstation]:
    return (
        scope.visible(user, Workstation)
        .select_related("division")
        .annotate(n_activities=_count_of(Activity.objects.all(), "station"))
        .order_by("division_id", "name")
    )


def station_detail(*, user, pk) -> tuple[Workstation, list[Activity], list]:
    station = scope.get(user, Workstation, pk, "division")
    recent = list(
        scope.visible(user, Activity)
        .filter(station=station)
        .order_by("-held_on", "-pk")
        .annotate(n_enrolled=_count_of(Enrolment.objects.all(), "activity"))[:20]
    )
    staff = list(station.staff.select_related("division").order_by("role", "username"))
    return station, recent, staff


def public_station(*, key, today: date | None = None) -> tuple[Workstation, list[Activity]]:
    """The public page: the station and its recent held activities. Titles and kinds only —
    never a child, never a summary (summaries may name children)."""
    today = today or timezone.localdate()
    try:
        station = Workstation.objects.select_related("division").get(public_key=key)
    except (Workstation.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
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


# --- Activities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityFilter:
    kind: str = ""
    station: int | None = None
    year: int | None = None


def activity_list(*, user, filters: ActivityFilter | None = None) -> QuerySet[Activity]:
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
            n_enrolled=_count_of(enrolments, "activity"),
            n_attended=_count_of(enrolments.filter(attended=True), "activity"),
        )
        .order_by("-held_on", "-pk")
    )


@dataclass(frozen=True)
class EnrolmentRow:
    enrolment: Enrolment
    name: str  # full name for users who may open the archive, else the given name only
    age: int
    full: bool  # whether the row may link to the archive


def _visible_child_ids(user, child_ids) -> set[int]:
    if not can(user, "registry.view") or not child_ids:
        return set()
    return set(scope.visible(user, Child).filter(pk__in=child_ids).values_list("pk", flat=True))


def enrolment_rows(*, user, activity: Activity) -> list[EnrolmentRow]:
    """The enrolled children as this user may see them; each shown child is audited."""
    enrolments = list(
        Enrolment.objects.filter(activity=activity)
        .select_related("child__person")
        .order_by("enrolled_at", "pk")
    )
    visible = _visible_child_ids(user, [e.child_id for e in enrolments])
    rows = []
    for e in enrolments:
        person = e.child.person
        full = e.child_id in visible
        rows.append(
            EnrolmentRow(
                enrolment=e,
                name=person.name if full else given_name(person.name),
                age=age_on(person.birth_date, activity.held_on),
                full=full,
            )
        )
    audit_record_many(
        by=user,
        action=AuditAction.VIEW,
        object_type="child",
        objects=(
            (r.enrolment.child_id, child_label(r.enrolment.child) if r.full else r.name)
            for r in rows
        ),
    )
    return rows


def activity_detail(*, user, pk):
    activity = scope.get(user, Activity, pk, "station__division", "project")
    organisers = list(activity.organisers.order_by("username"))
    partners = list(activity.partners.order_by("name"))
    photos = list(activity.photos.order_by("uploaded_at", "pk"))
    return activity, organisers, partners, photos


def enrolment_suggestions(*, user, activity: Activity, limit: int = 30) -> list:
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


def photo_or_404(*, user, pk):
    from huhang.community.models import ActivityPhoto

    try:
        photo = ActivityPhoto.objects.select_related("activity").get(
            pk=pk, activity__in=scope.visible(user, Activity)
        )
    except (ActivityPhoto.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    # Activity photos may show children: each opening is on the audit trail.
    audit_record(
        by=user,
        action=AuditAction.DOWNLOAD,
        object_type="activityphoto",
        object_id=photo.pk,
        label=str(photo.activity),
    )
    return photo


def child_activities(*, user, child) -> list[Enrolment]:
    """The activities a child joined (its archive): the caller already may see the child."""
    return list(
        Enrolment.objects.filter(child=child)
        .select_related("activity__station")
        .order_by("-activity__held_on", "-pk")
    )


def child_receipts(*, user, child) -> list[Allocation]:
    """What the child received from charity resources (慈善+未保)."""
    return list(
        Allocation.objects.filter(child=child, status=AllocationStatus.CONFIRMED)
        .select_related("resource__partner")
        .order_by("-received_on", "-pk")
    )


# --- Trainings ---------------------------------------------------------------------------------


def training_list(*, user) -> QuerySet[Training]:
    return (
        scope.visible(user, Training)
        .select_related("division", "station")
        .annotate(n_attended=_count_of(TrainingAttendance.objects.all(), "training"))
        .order_by("-held_on", "-pk")
    )


def training_detail(*, user, pk):
    training = scope.get(user, Training, pk, "division", "station")
    attendance = list(
        training.attendance.select_related("user__division").order_by("user__username")
    )
    return training, attendance


@dataclass(frozen=True)
class TrainingRecord:
    person: object
    rows: list
    total_hours: Decimal


def training_record(*, user, person) -> TrainingRecord:
    """A person's training record (我的培训, or the bureau's view of one of its staff)."""
    rows = list(
        TrainingAttendance.objects.filter(user=person)
        .select_related("training__division")
        .order_by("-training__held_on", "-pk")
    )
    total = sum((r.training.hours for r in rows), Decimal("0"))
    return TrainingRecord(person=person, rows=rows, total_hours=total)


def training_people_hours(*, user) -> QuerySet:
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


def person_or_404(*, user, pk):
    try:
        return scope.visible(user, User, "training").select_related("division").get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    except scope.visible(user, User, "training").model.DoesNotExist as exc:
        raise Http404 from exc


# --- Partners and resources --------------------------------------------------------------------


def partner_list(*, user) -> QuerySet[PartnerProfile]:
    return (
        scope.visible(user, PartnerProfile)
        .select_related("organisation")
        .annotate(
            n_resources=Coalesce(
                Subquery(
                    Resource.objects.filter(partner_id=OuterRef("organisation_id"))
                    .order_by()
                    .values("partner_id")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            n_activities=Coalesce(
                Subquery(
                    Activity.partners.through.objects.filter(
                        organisation_id=OuterRef("organisation_id")
                    )
                    .order_by()
                    .values("organisation_id")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
        )
        .order_by("organisation__kind", "organisation__name")
    )


def partner_detail(*, user, pk):
    partner = scope.get(user, PartnerProfile, pk, "organisation")
    contacts = list(partner.contacts.all())
    agreements = list(partner.agreements.all())
    resources = list(
        scope.visible(user, Resource)
        .filter(partner_id=partner.organisation_id)
        .order_by("-available_on")
    )
    return partner, contacts, agreements, resources


def agreement_or_404(*, user, pk):
    from huhang.community.models import Agreement

    try:
        return Agreement.objects.select_related("partner").get(
            pk=pk, partner__in=scope.visible(user, PartnerProfile)
        )
    except (Agreement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def resource_list(*, user) -> QuerySet[Resource]:
    allocations = Allocation.objects.all()
    return (
        scope.visible(user, Resource)
        .select_related("partner")
        .annotate(
            n_confirmed=_count_of(
                allocations.filter(status=AllocationStatus.CONFIRMED), "resource"
            ),
            n_proposed=_count_of(allocations.filter(status=AllocationStatus.PROPOSED), "resource"),
        )
        .order_by("-available_on", "-pk")
    )


@dataclass(frozen=True)
class AllocationRow:
    allocation: Allocation
    name: str
    age: int
    division: str
    full: bool


def allocation_rows(*, user, resource: Resource) -> list[AllocationRow]:
    """The resource's list as this user may see it (partner staff: given name and age)."""
    allocations = list(
        resource.allocations.select_related("child__person", "child__division").order_by(
            "status", "rank", "pk"
        )
    )
    visible = _visible_child_ids(user, [a.child_id for a in allocations])
    rows = []
    for a in allocations:
        person = a.child.person
        full = a.child_id in visible
        rows.append(
            AllocationRow(
                allocation=a,
                name=person.name if full else given_name(person.name),
                age=age_on(person.birth_date, resource.available_on),
                division=a.child.division.name,
                full=full,
            )
        )
    audit_record_many(
        by=user,
        action=AuditAction.VIEW,
        object_type="child",
        objects=(
            (r.allocation.child_id, child_label(r.allocation.child) if r.full else r.name)
            for r in rows
        ),
    )
    return rows


# --- Purchased-service projects ----------------------------------------------------------------


def project_progress(*, user, today: date | None = None) -> QuerySet:
    """Each project with its targets and what has been recorded against them: distinct cases
    and minutes of ServiceRecord, activities held (dated today or earlier) and distinct
    children who attended them."""
    today = today or timezone.localdate()
    services = ServiceRecord.objects.all()
    held = Activity.objects.filter(held_on__lte=today)
    attended = Enrolment.objects.filter(attended=True, activity__held_on__lte=today)
    return (
        scope.visible(user, ServiceProject)
        .select_related("contractor", "community_target")
        .annotate(
            cases_served=_count_of(services, "project", "case", distinct=True),
            service_minutes=Coalesce(
                Subquery(
                    services.filter(project=OuterRef("pk"))
                    .order_by()
                    .values("project")
                    .annotate(m=Sum("minutes"))
                    .values("m")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            activities_held=_count_of(held, "project"),
            children_in_activities=_count_of(attended, "activity__project", "child", distinct=True),
        )
        .order_by("-starts_on", "name")
    )


def project_detail(*, user, pk, today: date | None = None):
    try:
        return project_progress(user=user, today=today).get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    except project_progress(user=user, today=today).model.DoesNotExist as exc:
        raise Http404 from exc


def project_activities(*, user, project) -> list[Activity]:
    return list(
        scope.visible(user, Activity)
        .filter(project=project)
        .select_related("station")
        .order_by("-held_on", "-pk")[:50]
    )


def percent(done, target) -> int | None:
    if not target:
        return None
    return min(100, int(done * 100 // target))


def child_community(*, user, child) -> dict:
    """The archive's section: activities the child joined and what it received (慈善+未保)."""
    return {
        "enrolments": child_activities(user=user, child=child),
        "receipts": child_receipts(user=user, child=child),
    }
