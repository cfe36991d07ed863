"""Every write of emergency protection (临时监护): taking a child in, the coordination log, the
resolution; one transaction each, audited on the child's trail."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from huhang.cases.models import Case, CoordinationEntry, EmergencyProtection
from huhang.core.access import claim, require
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.validation import check_period, create_checked, not_future, required_text
from huhang.registry.models import Child
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from huhang.accounts.models import User


def _not_future(moment: datetime, field: str) -> None:
    not_future(moment, _("时间不能晚于现在。"), field=field)


@transaction.atomic
def emergency_open(
    *,
    by: User,
    child: Child,
    situation: str,
    taken_in_at: datetime,
    placement: str,
    placement_detail: str,
    case: Case | None = None,
) -> EmergencyProtection:
    require(by, "emergency.open")
    _not_future(taken_in_at, "taken_in_at")
    if case is not None and case.child_id != child.pk:
        raise DomainError(_("所选个案不属于该儿童。"), field="case")
    placement_detail = required_text(
        placement_detail, _("请填写安置地点或人员。"), field="placement_detail"
    )
    emergency = create_checked(
        EmergencyProtection,
        refusal=DomainError(_("该儿童已有未解除的临时监护。")),
        child=child,
        case=case,
        situation=situation,
        taken_in_at=taken_in_at,
        placement=placement,
        placement_detail=placement_detail,
        opened_by=by,
    )
    audit_child(by=by, child=child, action="create", emergency=emergency.pk, situation=situation)
    return emergency


@transaction.atomic
def emergency_log(
    *, by: User, emergency: EmergencyProtection, at: datetime, party: str, note: str
) -> CoordinationEntry:
    require(by, "emergency.open")
    _not_future(at, "at")
    if not emergency.is_open:
        raise InvalidTransition(_("临时监护已解除，不能再登记协调记录。"))
    check_period(emergency.taken_in_at, at, _("协调时间不能早于接收时间。"), field="at")
    note = required_text(note, _("请填写协调内容。"), field="note")
    entry = CoordinationEntry.objects.create(
        emergency=emergency, at=at, party=party, note=note, by=by
    )
    audit_child(by=by, child=emergency.child, emergency=emergency.pk, log=entry.pk, party=party)
    return entry


@transaction.atomic
def emergency_resolve(
    *,
    by: User,
    emergency: EmergencyProtection,
    outcome: str,
    outcome_detail: str,
    resolved_at: datetime,
) -> EmergencyProtection:
    require(by, "emergency.resolve")
    _not_future(resolved_at, "resolved_at")
    check_period(
        emergency.taken_in_at, resolved_at, _("解除时间不能早于接收时间。"), field="resolved_at"
    )
    outcome_detail = required_text(
        outcome_detail, _("请填写处置结果说明。"), field="outcome_detail"
    )
    claim(
        EmergencyProtection.objects.filter(pk=emergency.pk, resolved_at__isnull=True),
        refusal=_("该临时监护已解除。"),
        outcome=outcome,
        outcome_detail=outcome_detail,
        resolved_at=resolved_at,
        resolved_by=by,
    )
    emergency.refresh_from_db()
    audit_child(by=by, child=emergency.child, emergency=emergency.pk, outcome=outcome)
    return emergency
