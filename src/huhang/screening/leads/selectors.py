"""Every read of the leads (线索). Each starts from core.scope and records what it showed.

Viewing a lead is always audited: a lead names a child and its family's situations even before
the child has an archive, so an unregistered child is protected like a registered one. For a
registered child the "view" event is the child's (object "child", its archive number, with the
lead in the detail), so that the trail of that archive shows every page that showed its data;
otherwise it is the lead's (object "lead"). A list page records one "search" event, as the
children list does. The workflow's steps are the lead's events ("change", detail.step).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from huhang.core import scope
from huhang.core.audit import audit_object, audit_record_many, audit_search
from huhang.core.masking import mask_id_number
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.regions.models import Division
from huhang.registry.selectors import audit_child
from huhang.screening.models import ENDING_KINDS, Lead, LeadKind, LeadStatus

if TYPE_CHECKING:
    from huhang.accounts.models import User

# The step that comes next for a lead in each open status, and the capability it needs.
NEXT_STEP: dict[str, tuple[str, str]] = {
    LeadStatus.NEW: ("verify", "lead.verify"),
    LeadStatus.VERIFIED: ("review", "lead.review"),
    LeadStatus.REVIEWED: ("approve", "lead.approve"),
}
OPEN_STATUSES = tuple(NEXT_STEP)
# What the detail page shows of a lead's history, joined in.
_DETAIL_RELATED = (
    "division__parent",
    "child__person",
    "child__division",
    "verified_by",
    "reviewed_by",
    "decided_by",
    "assignment",
)


@dataclass(frozen=True)
class LeadFilter:
    kind: str = ""
    status: str = ""
    run: int | None = None  # the leads one screening raised

    def as_dict(self) -> dict[str, str | int]:
        return {k: v for k, v in self.__dict__.items() if v}


# "todo" is not a status: it means "the leads whose next step is mine" (see waiting_q).
TODO = "todo"


def waiting_q(user: User) -> Q:
    """The leads whose next step falls to this user: the field check of the leads routed to the
    user's own node (a director's community; a street or the district itself when a lead's code
    was unknown and it was routed up, flagged), the review for a supervisor, the decision for
    the bureau. Combined with core.scope by the callers."""
    own_node = getattr(user, "division_id", None)
    q = Q(status=LeadStatus.NEW, division_id=own_node)
    if can(user, "lead.approve"):
        # The bureau decides; it reviews only what no supervisor sees (routed to the district).
        q |= Q(status=LeadStatus.REVIEWED) | Q(status=LeadStatus.VERIFIED, division_id=own_node)
    elif can(user, "lead.review"):
        q |= Q(status=LeadStatus.VERIFIED)
    return q


def leads_waiting(user: User) -> QuerySet[Lead]:
    """The user's inbox section: scoped, one query, what a card shows joined in."""
    return (
        scope.visible(user, Lead)
        .filter(waiting_q(user))
        .select_related("division")
        .order_by("raised_at", "pk")
    )


def lead_list(*, user: User, filters: LeadFilter) -> QuerySet[Lead]:
    """The leads the user may see, filtered, open ones first; records one search event.
    The caller paginates; the number of queries does not depend on the page size."""
    qs = scope.visible(user, Lead)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.run:
        qs = qs.filter(run_id=filters.run)
    if filters.status == TODO:
        qs = qs.filter(waiting_q(user))
    elif filters.status:
        qs = qs.filter(status=filters.status)
    audit_search(by=user, object_type="lead", label="线索列表", **filters.as_dict())
    open_first = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.select_related("division").order_by(open_first, "-raised_at", "-pk")


def lead_for_user(*, user: User, pk: Any) -> Lead:
    """The lead with what a step needs joined in, or 404 when it is outside the user's area
    (or no lead at all). Each step's view checks the step's capability besides."""
    return scope.get(user, Lead, pk, "division", "child__person")


def lead_detail(*, user: User, pk: Any) -> Lead:
    """One lead with its history's people joined in; 404 outside the scope; records a view."""
    lead = scope.get(user, Lead, pk, *_DETAIL_RELATED)
    lead.evidence_documents = list(lead.verify_documents.order_by("pk"))
    if lead.child is not None:
        audit_child(by=user, child=lead.child, action=AuditAction.VIEW, lead=lead.pk)
    else:
        audit_lead(by=user, lead=lead, action=AuditAction.VIEW)
    return lead


# A division code in the evidence (district 6, street 9, community 12 digits), not inside a
# longer run of digits (an ID number is masked before this, a row number is shorter).
_DIVISION_CODE = re.compile(r"(?<![\d*])(\d{12}|\d{9}|\d{6})(?![\d*])")


def evidence_named(lines: list[str]) -> list[str]:
    """The evidence lines with each known division code replaced by the division's name (an
    officer knows 友谊一社区, not 150203005001); unknown codes stay as they are. One query."""
    codes = {m.group(1) for line in lines for m in _DIVISION_CODE.finditer(line)}
    if not codes:
        return lines
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return [_DIVISION_CODE.sub(lambda m: names.get(m.group(1), m.group(1)), line) for line in lines]


def lead_label(name: str, id_number: str) -> str:
    """How a lead is named in the audit trail: the person's name and masked ID number."""
    return f"{name} {mask_id_number(id_number)}".strip()


def audit_lead(
    *, by: User | str | None, lead: Lead, action: str = AuditAction.CHANGE, **detail: Any
) -> None:
    label = lead_label(lead.name, lead.id_number)
    audit_object(
        by=by, action=action, obj=lead, label=label, kind=lead.kind, child=lead.child_id, **detail
    )


def next_step(user: User, lead: Lead) -> str:
    """ "verify", "review" or "approve" when the user may take the lead's next step; else ""."""
    step = NEXT_STEP.get(lead.status)
    if step is None or not can(user, step[1]):
        return ""
    return step[0]


def is_ending(lead: Lead) -> bool:
    return lead.kind in ENDING_KINDS


# --- The operator's export (huhang leads) ------------------------------------------------------

EXPORT_FIELDS = (
    "id",
    "kind",
    "kind_label",
    "status",
    "status_label",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "region_code",
    "region_flagged",
    "division",
    "child",
    "category",
    "evidence",
    "raised_at",
)
# The export's fields that are the lead's columns as they are.
_AS_STORED = ("id", "kind", "status", "id_number", "name", "sex", "region_code", "region_flagged")


def lead_export(
    *, by: User | None = None, statuses: Iterable[str] = (), kinds: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """Every lead (or those of the given statuses and kinds) as plain data with FULL ID numbers:
    the operator's command, for people with shell access to the server. With `by`, limited to
    that user's scope. Records one export event per lead."""
    qs = scope.visible(by, Lead) if by is not None else Lead.objects.all()
    if statuses:
        qs = qs.filter(status__in=statuses)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    rows = list(
        qs.order_by("pk").values(
            *_AS_STORED,
            "birth_date",
            "division_id",
            "child_id",
            "category",
            "evidence",
            "raised_at",
        )
    )
    audit_record_many(
        by=by,
        action=AuditAction.EXPORT,
        object_type="lead",
        objects=((r["id"], lead_label(r["name"], r["id_number"])) for r in rows),
    )
    return [_exported(r) for r in rows]


def _exported(row: dict[str, Any]) -> dict[str, Any]:
    out = {
        **{k: row[k] for k in _AS_STORED},
        "kind_label": str(LeadKind(row["kind"]).label),
        "status_label": str(LeadStatus(row["status"]).label),
        "birth_date": row["birth_date"].isoformat() if row["birth_date"] else None,
        "division": row["division_id"],
        "child": row["child_id"],
        "category": row["category"],
        "evidence": row["evidence"],
        "raised_at": row["raised_at"].isoformat(),
    }
    return {k: out[k] for k in EXPORT_FIELDS}
