"""Visibility of case work (registered with core.scope).

Cases: a social worker sees only the cases of its organisation's projects; division-bound users
the cases of the children of their subtree. Emergency protection is the bureau's act with the
street's supervisor: division-bound registry roles only, never social workers. Purchased-service
projects are district contracts whose figures (no child) the division users who see community
work may read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huhang.cases.models import Case, EmergencyProtection, ServiceProject
from huhang.core import scope
from huhang.core.roles import Role, can


@scope.rule(Case)
def cases(user: Any, qs: QuerySet[Case]) -> QuerySet[Case]:
    if not can(user, "case.work"):
        return qs.none()
    if user.role == Role.SOCIAL_WORKER:
        return qs.filter(project__contractor_id=user.organisation_id)
    return scope.within(user, qs, "child__division_id")


@scope.rule(EmergencyProtection)
def emergencies(user: Any, qs: QuerySet[EmergencyProtection]) -> QuerySet[EmergencyProtection]:
    if not can(user, "registry.view") or user.role == Role.SOCIAL_WORKER:
        return qs.none()
    return scope.within(user, qs, "child__division_id")


@scope.rule(ServiceProject)
def service_projects(user: Any, qs: QuerySet[ServiceProject]) -> QuerySet[ServiceProject]:
    if not can(user, "community.view") or user.role == Role.PARTNER:
        return qs.none()
    return qs if scope.division_prefix(user) else qs.none()


@scope.rule(ServiceProject, "entrust")
def projects_to_entrust(user: Any, qs: QuerySet[ServiceProject]) -> QuerySet[ServiceProject]:
    """Projects a case may be entrusted to (whose organisation then sees the child): any of the
    district's for a division user who works cases; a social worker only its organisation's (a
    case opened under another would vanish from its own view at once)."""
    if not can(user, "case.work"):
        return qs.none()
    if user.role == Role.SOCIAL_WORKER:
        return qs.filter(contractor_id=user.organisation_id or 0)
    return qs if scope.division_prefix(user) else qs.none()
