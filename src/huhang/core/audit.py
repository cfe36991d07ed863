"""Writing to the audit trail. Services and selectors call `audit_record`; nothing else writes."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, Q, QuerySet

from huhang.core import scope
from huhang.core.audit_chain import append
from huhang.core.context import acting_from, audited, channel, client_ip
from huhang.core.models import AuditAction, AuditEvent
from huhang.core.roles import can


def audit_record(
    *,
    by,
    action: AuditAction | str,
    object_type: str = "",
    object_id: Any = "",
    label: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    audited.set(True)
    return append([_fields(by, action, object_type, object_id, label, detail)])[0]


def audit_operator(
    *, action: AuditAction | str, object_type: str, label: str, detail: dict[str, Any]
) -> AuditEvent:
    """One event by the system user who ran a command line (`huhang backup`, `huhang restore`):
    no account acts there, so the trail names the operating-system login and the channel "cli"."""
    with acting_from(None, "cli"):
        return audit_record(
            by=getpass.getuser(), action=action, object_type=object_type, label=label, detail=detail
        )


def audit_object(
    *,
    by,
    action: AuditAction | str,
    obj: Model,
    label: str | None = None,
    object_type: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """One event about one record: its model's name (or `object_type`), its key, and `label`
    (or the record's str) to name it in the trail."""
    return audit_record(
        by=by,
        action=action,
        object_type=object_type or obj._meta.model_name or "",
        object_id=obj.pk,
        label=str(obj) if label is None else label,
        detail=detail or None,
    )


def audit_search(*, by, object_type: str, label: str, **detail: Any) -> AuditEvent:
    """Record that a list was shown or searched, with the filters given (blank ones left out).
    The label is stored as data: the trail reads the same in every UI language."""
    return audit_record(
        by=by,
        action=AuditAction.SEARCH,
        object_type=object_type,
        label=label,
        detail={k: str(v) for k, v in detail.items() if v not in ("", None)},
    )


def audit_record_many(
    *, by, action: AuditAction | str, object_type: str, objects: Iterable[tuple[Any, str]]
) -> None:
    """One event per record (e.g. each child shown by an export), in one INSERT."""
    audited.set(True)
    append(_fields(by, action, object_type, pk, label, None) for pk, label in objects)


def _fields(by, action, object_type, object_id, label, detail) -> dict[str, Any]:
    authenticated = getattr(by, "is_authenticated", False)
    return {
        "user_id": by.pk if authenticated else None,
        "username": (by.get_username() if authenticated else (str(by) if by else ""))[:150],
        "role": getattr(by, "role", "") or "",
        "action": str(action),
        "object_type": object_type,
        "object_id": str(object_id or ""),
        "object_label": label[:200],
        # As the database keeps it (an IPv6 address is normalised), so the link matches.
        "ip": _IP.get_prep_value(client_ip.get()),
        "via": channel.get(),
        "detail": detail or {},
        "division": (getattr(by, "division_id", None) or "") if authenticated else "",
    }


_IP = AuditEvent._meta.get_field("ip")


@scope.rule(AuditEvent)
def audit_events(user, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """An auditor reads the events of the users of its own division (its subtree). Events of
    no division (failed logins, organisations' staff, the command line) are read by those bound
    to the installation's root division or above."""
    where = scope.in_subtree(user, "division") if can(user, "audit.view") else None
    if where is None:
        return qs.none()
    if scope.at_root(user):
        where |= Q(division="")
    return qs.filter(where)
