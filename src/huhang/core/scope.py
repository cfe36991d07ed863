"""Who sees what: the one place that decides visibility.

A user bound to a division sees that division's subtree; a social worker sees the children
entrusted to its organisation; partners and data officers see no registry records. Every list,
detail, search, export and API starts from these functions. A record outside the scope does not
exist for the user: callers turn "not in the queryset" into 404, never 403.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from huhang.core.roles import Role, can
from huhang.regions.models import subtree_q


def _division_prefix(user) -> str | None:
    division_id = getattr(user, "division_id", None)
    return division_id or None


def divisions(user) -> QuerySet:
    """The divisions a user may choose from (filters, forms): its own subtree."""
    from huhang.regions.models import Division

    prefix = _division_prefix(user)
    if not getattr(user, "is_authenticated", False) or prefix is None:
        return Division.objects.none()
    return Division.objects.filter(subtree_q(prefix))


def children(user) -> QuerySet:
    """The children (registry.Child) the user may see, unevaluated; callers add their filters."""
    from huhang.registry.models import Child

    qs = Child.objects.all()
    if not can(user, "registry.view"):
        return qs.none()
    if user.role == Role.SOCIAL_WORKER:
        today = timezone.localdate()
        return qs.filter(
            Q(assignments__until__isnull=True) | Q(assignments__until__gte=today),
            assignments__organisation_id=user.organisation_id,
            assignments__since__lte=today,
        ).distinct()
    prefix = _division_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(subtree_q(prefix, "division_id"))


def children_for_figures(user) -> QuerySet:
    """Children whose figures (payments, entitlements) the user may see: those of `children`
    for registry roles; for an auditor, who reads reports but not the registry, the children of
    its division subtree."""
    from huhang.registry.models import Child

    if not can(user, "benefits.view"):
        return Child.objects.none()
    if can(user, "registry.view"):
        return children(user)
    prefix = _division_prefix(user)
    if prefix is None:
        return Child.objects.none()
    return Child.objects.filter(subtree_q(prefix, "division_id"))


def child_or_404(user, pk) -> object:
    """The child with this key if the user may see it; otherwise 404, whether or not it exists."""
    try:
        return children(user).select_related("person", "division").get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    except children(user).model.DoesNotExist as exc:
        raise Http404 from exc


def division_or_404(user, code: str):
    try:
        return divisions(user).get(code=code)
    except divisions(user).model.DoesNotExist as exc:
        raise Http404 from exc


def cases(user) -> QuerySet:
    """The cases a user may see: a social worker only those of its organisation's projects;
    division-bound users the cases of the children of their subtree."""
    from huhang.cases.models import Case

    qs = Case.objects.all()
    if not can(user, "case.work"):
        return qs.none()
    if user.role == Role.SOCIAL_WORKER:
        return qs.filter(project__contractor_id=user.organisation_id)
    prefix = _division_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(subtree_q(prefix, "child__division_id"))


def case_or_404(user, pk):
    try:
        return cases(user).select_related("child__person", "child__division", "project").get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    except cases(user).model.DoesNotExist as exc:
        raise Http404 from exc


def emergencies(user) -> QuerySet:
    """Emergency protections of the children in the user's division subtree (not social workers:
    temporary guardianship is the bureau's act, with the street's supervisor)."""
    from huhang.cases.models import EmergencyProtection

    qs = EmergencyProtection.objects.all()
    prefix = _division_prefix(user)
    if not can(user, "registry.view") or user.role == Role.SOCIAL_WORKER or prefix is None:
        return qs.none()
    return qs.filter(subtree_q(prefix, "child__division_id"))


def leads(user) -> QuerySet:
    """Screening leads (线索) routed to the user's division subtree: a director's community,
    a supervisor's street, the bureau's district. Other roles see none."""
    from huhang.screening.models import Lead

    qs = Lead.objects.all()
    prefix = _division_prefix(user)
    if not can(user, "lead.verify") or prefix is None:
        return qs.none()
    return qs.filter(subtree_q(prefix, "division_id"))


def lead_or_404(user, pk):
    try:
        return leads(user).select_related("division", "child__person").get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    except leads(user).model.DoesNotExist as exc:
        raise Http404 from exc


def link_reviews(user) -> QuerySet:
    """Uncertain record links waiting for a person, in the user's division subtree."""
    from huhang.screening.models import LinkReview

    qs = LinkReview.objects.all()
    prefix = _division_prefix(user)
    if not can(user, "link.review") or prefix is None:
        return qs.none()
    return qs.filter(subtree_q(prefix, "division_id"))


def feed_batches(user) -> QuerySet:
    """Imported feed batches: the bureau sees all; a data officer only its department's source."""
    from huhang.screening.models import FeedBatch

    qs = FeedBatch.objects.all()
    if not can(user, "feed.upload"):
        return qs.none()
    if user.role == Role.DATA_OFFICER:
        department = getattr(getattr(user, "organisation", None), "department", "")
        return qs.filter(source=department) if department else qs.none()
    return qs


def screening_runs(user) -> QuerySet:
    """Screening runs: the whole installation's, for the roles that run screenings (the bureau)."""
    from huhang.screening.models import ScreeningRun

    qs = ScreeningRun.objects.all()
    return qs if can(user, "screening.run") else qs.none()


def report_divisions(user) -> QuerySet:
    """The divisions whose figures a user may read on dashboards and reports: its own subtree,
    for roles with reports.view (an auditor reads figures of its district, not the registry)."""
    if not can(user, "reports.view"):
        from huhang.regions.models import Division

        return Division.objects.none()
    return divisions(user)


def report_division_or_404(user, code: str | None = None):
    """The division a dashboard or report is about: the user's own node when no code is given,
    else that node if it lies in the user's subtree; 404 otherwise. Every figure of the report
    is then read from this division's subtree (regions.models.subtree_q)."""
    code = code or _division_prefix(user)
    if not code:
        raise Http404
    try:
        # Its ancestors come along: pages name the division in full (区 街道 社区).
        return (
            report_divisions(user).select_related("parent__parent__parent__parent").get(code=code)
        )
    except report_divisions(user).model.DoesNotExist as exc:
        raise Http404 from exc


# --- Community: workstations, activities, trainings, partners, resources (issue #6) ---------


def _community_prefix(user) -> str | None:
    """The division subtree of a division-bound user who may see community work, else None."""
    if not can(user, "community.view") or user.role == Role.PARTNER:
        return None
    return _division_prefix(user)


def _overlap_q(prefix: str, field: str) -> Q:
    """Rows whose division (in `field`) is in the subtree of `prefix` or one of its ancestors:
    a district-wide offer reaches a street's children, a street's a community's."""
    ancestors = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
    return subtree_q(prefix, field) | Q(**{f"{field}__in": ancestors})


def _get_or_404(qs: QuerySet, pk):
    try:
        return qs.get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc


def activities(user) -> QuerySet:
    """Activities: division users those of the stations in their subtree; partner staff those
    organised by or with their organisation (as a partner, or by one of its staff)."""
    from huhang.community.models import Activity

    qs = Activity.objects.all()
    if not can(user, "community.view"):
        return qs.none()
    if user.role == Role.PARTNER:
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
    prefix = _community_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(subtree_q(prefix, "station__division_id"))


def activity_or_404(user, pk):
    return _get_or_404(activities(user).select_related("station__division", "project"), pk)


def stations(user) -> QuerySet:
    """Workstations: division users their subtree's; partner staff those hosting its activities."""
    from huhang.community.models import Workstation

    qs = Workstation.objects.all()
    if not can(user, "community.view"):
        return qs.none()
    if user.role == Role.PARTNER:
        hosted = activities(user).filter(station_id=OuterRef("pk"))
        return qs.filter(Exists(hosted))
    prefix = _community_prefix(user)
    if prefix is None:
        return qs.none()
    return qs.filter(subtree_q(prefix, "division_id"))


def station_or_404(user, pk):
    return _get_or_404(stations(user).select_related("division"), pk)


def stations_for_activity(user) -> QuerySet:
    """Stations a user may hold an activity at: its own; a partner any station (stations are
    public places, their pages need no login)."""
    from huhang.community.models import Workstation

    if not can(user, "activity.manage"):
        return Workstation.objects.none()
    if user.role == Role.PARTNER:
        return Workstation.objects.all()
    return stations(user)


def trainings(user) -> QuerySet:
    """Trainings organised in the user's subtree, or one it attended (a director attends the
    district's)."""
    from huhang.community.models import Training, TrainingAttendance

    qs = Training.objects.all()
    prefix = _community_prefix(user)
    if prefix is None:
        return qs.none()
    attended = TrainingAttendance.objects.filter(training_id=OuterRef("pk"), user_id=user.pk)
    return qs.filter(subtree_q(prefix, "division_id") | Exists(attended))


def training_or_404(user, pk):
    return _get_or_404(trainings(user).select_related("division", "station"), pk)


def training_people(user) -> QuerySet:
    """Supervisors and directors whose training record the user may see: its subtree's."""
    from huhang.accounts.models import User

    prefix = _community_prefix(user)
    if prefix is None:
        return User.objects.none()
    return User.objects.filter(
        subtree_q(prefix, "division_id"), role__in=[Role.SUPERVISOR, Role.DIRECTOR]
    )


def partners(user) -> QuerySet:
    """Partner profiles: district-wide information for division users; a partner its own."""
    from huhang.community.models import PartnerProfile

    qs = PartnerProfile.objects.all()
    if not can(user, "community.view"):
        return qs.none()
    if user.role == Role.PARTNER:
        return qs.filter(organisation_id=user.organisation_id or 0)
    if _community_prefix(user) is None:
        return qs.none()
    return qs


def partner_or_404(user, pk):
    return _get_or_404(partners(user).select_related("organisation"), pk)


def resources(user) -> QuerySet:
    """Charity resources: a partner its own organisation's; division users those offered to
    their subtree, to an ancestor of it, or to nobody in particular (no divisions given)."""
    from huhang.community.models import Resource

    qs = Resource.objects.all()
    if not can(user, "community.view"):
        return qs.none()
    if user.role == Role.PARTNER:
        return qs.filter(partner_id=user.organisation_id or 0)
    prefix = _community_prefix(user)
    if prefix is None:
        return qs.none()
    through = Resource.divisions.through.objects
    anywhere = ~Exists(through.filter(resource_id=OuterRef("pk")))
    reaches = Exists(through.filter(_overlap_q(prefix, "division_id"), resource_id=OuterRef("pk")))
    return qs.filter(anywhere | reaches)


def resource_or_404(user, pk):
    return _get_or_404(resources(user).select_related("partner"), pk)


def service_projects(user) -> QuerySet:
    """Purchased-service projects with their progress figures: district contracts, shown to the
    division users who see community work (figures only, no child)."""
    from huhang.cases.models import ServiceProject

    if _community_prefix(user) is None:
        return ServiceProject.objects.none()
    return ServiceProject.objects.all()


def service_project_or_404(user, pk):
    return _get_or_404(service_projects(user).select_related("contractor"), pk)
