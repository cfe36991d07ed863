"""Writes of the purchased-service projects: the community's targets of a project (activities
held, children served), beside those the project itself holds."""

from __future__ import annotations

from django.db import transaction

from huhang.accounts.models import User
from huhang.cases.models import ServiceProject
from huhang.community.models import ProjectTarget
from huhang.core import scope
from huhang.core.access import require
from huhang.core.audit import audit_object
from huhang.core.models import AuditAction


@transaction.atomic
def project_target_set(
    *,
    by: User,
    project: ServiceProject,
    target_activities: int,
    target_children: int,
    notes: str = "",
) -> ProjectTarget:
    require(by, "partner.manage")
    scope.get(by, ServiceProject, project.pk)
    target, _created = ProjectTarget.objects.update_or_create(
        project=project,
        defaults={
            "target_activities": target_activities,
            "target_children": target_children,
            "notes": notes,
        },
    )
    audit_object(by=by, action=AuditAction.CHANGE, obj=project, target_activities=target_activities)
    return target
