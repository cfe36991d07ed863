"""Every read of emergency protection (临时监护): from core.scope (division-bound registry roles
only, never social workers), recording what was shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, QuerySet

from huhang.cases.models import CoordinationEntry, EmergencyProtection
from huhang.core import scope
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.registry.models import Child
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from huhang.accounts.models import User


def emergency_list(*, user: User) -> QuerySet[EmergencyProtection]:
    """The scope's emergencies: open ones first (newest taken in first), then the resolved."""
    audit_record(by=user, action=AuditAction.SEARCH, object_type="child", label="临时监护列表")
    return (
        scope.visible(user, EmergencyProtection)
        .select_related("child__person", "child__division")
        .order_by(F("resolved_at").desc(nulls_first=True), "-taken_in_at", "-pk")
    )


def emergency_for_user(*, user: User, pk: object) -> EmergencyProtection:
    """The emergency with what its pages show, or 404 out of the user's scope."""
    related = ("child__person", "child__division", "opened_by", "resolved_by", "case")
    return scope.get(user, EmergencyProtection, pk, *related)


@dataclass(frozen=True)
class EmergencyPage:
    emergency: EmergencyProtection
    entries: list[CoordinationEntry]  # the coordination log, in time order


def emergency_page(*, user: User, pk: object) -> EmergencyPage:
    """The emergency with its coordination log (one query), its view audited on the child."""
    emergency = emergency_for_user(user=user, pk=pk)
    entries = list(emergency.log.select_related("by"))
    audit_child(by=user, child=emergency.child, action=AuditAction.VIEW, emergency=emergency.pk)
    return EmergencyPage(emergency, entries)


def open_emergency(*, user: User, child: Child) -> EmergencyProtection | None:
    """The child's emergency protection still in force, if the user may see it (the archive
    page shows it in red)."""
    return (
        scope.visible(user, EmergencyProtection)
        .filter(child=child, resolved_at__isnull=True)
        .first()
    )
