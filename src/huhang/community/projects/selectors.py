"""Reads of the purchased-service projects (cases.ServiceProject): progress against their targets,
from what the cases and the community recorded."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from huhang.accounts.models import User
from huhang.cases.models import ServiceProject, ServiceRecord
from huhang.community.models import Activity, Enrolment
from huhang.community.selectors import count_of
from huhang.core import scope
from huhang.core.access import get_or_404

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Progress(TypedDict):
    """What project_progress adds to each project."""

    cases_served: int
    service_minutes: int
    activities_held: int
    children_in_activities: int


def project_progress(
    *, user: User, today: date | None = None
) -> QuerySet[WithAnnotations[ServiceProject, Progress]]:
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
            cases_served=count_of(services, "project", "case", distinct=True),
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
            activities_held=count_of(held, "project"),
            children_in_activities=count_of(attended, "activity__project", "child", distinct=True),
        )
        .order_by("-starts_on", "name")
    )


def project_for_user(
    *, user: User, pk: object, today: date | None = None
) -> WithAnnotations[ServiceProject, Progress]:
    """The project with its progress (as project_progress) if the user may see it; 404
    otherwise."""
    return get_or_404(project_progress(user=user, today=today), pk)


def project_activities(*, user: User, project: ServiceProject) -> list[Activity]:
    return list(
        scope.visible(user, Activity)
        .filter(project=project)
        .select_related("station")
        .order_by("-held_on", "-pk")[:50]
    )
