"""Who sees what: the one place that decides visibility.

A user bound to a division sees that division's subtree; a social worker sees the children
entrusted to its organisation; partners and data officers see no registry records. Every list,
detail, search, export and API starts from these functions. A record outside the scope does not
exist for the user: callers turn "not in the queryset" into 404, never 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
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
        return report_divisions(user).get(code=code)
    except report_divisions(user).model.DoesNotExist as exc:
        raise Http404 from exc
