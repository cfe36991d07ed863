"""The inbox (待办): what waits for each user, and the counts the home page shows.

The workbench composes; each app says what waits in its own rooms (registry: categories to
verify or approve; cases: plans, closures, alerts, referrals, visits; screening: leads).

Which sections a user gets follows the capabilities of core.roles; which records fill them
follows core.scope (a social worker sees only its own cases' items). Every section is one query
whatever the number of children, so both `inbox_items` and `inbox_counts` run a constant number
of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.benefits.payroll.selectors import runs_waiting
from huhang.cases import selectors as cases
from huhang.cases.risk import GREEN, RED, RiskColour, risk_colours
from huhang.cases.visits.selectors import VisitDue, due_soon, visit_schedule

if TYPE_CHECKING:
    from huhang.accounts.models import User

from huhang.core import scope
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.core.roles import Role, can
from huhang.registry import selectors as registry
from huhang.registry.models import CategoryStatus, Child
from huhang.screening.leads.selectors import leads_waiting

# Roles whose inbox lists the visits due in their area: the people who go (directors) and
# those who answer for them (supervisors, the bureau). Social workers' inboxes hold only their
# own cases' items. (Candidate for a capability "visit.schedule" in core.roles.)
VISIT_INBOX_ROLES = frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR})

# At most this many items are listed per section on the inbox's first page; the section's count
# is always the full one, and its own pages (`section_page`) list the rest.
SECTION_LIMIT = 10
# A section's own pages list this many items each.
PAGE_SIZE = 25
# A director's home weighs the colours of at most this many of its children (a community has
# a few dozen protected children; the bureau sees its own list pages instead).
WATCH_SCAN = 500
# An item waiting longer than this many days is marked as old.
OLD_DAYS = 365

# Section keys in display order; inbox_counts returns each of them (0 when not applicable).
SECTIONS = (
    "alerts",
    "visits_overdue",
    "visits_soon",
    "leads",
    "to_verify",
    "to_approve",
    "plans",
    "closures",
    "referrals",
    "payroll",
)

TITLES = {
    "alerts": _("高风险预警"),
    "visits_overdue": _("逾期未探访"),
    "visits_soon": _("近期应探访"),
    "leads": _("待处理线索"),
    "to_verify": _("待核实的类别认定"),
    "to_approve": _("待审批的类别认定"),
    "plans": _("待批准的服务计划"),
    "closures": _("待批准的结案申请"),
    "referrals": _("逾期未答复的转介"),
    "payroll": _("待审批的发放批次"),
}


@dataclass
class Section:
    key: str
    title: str
    items: list[Any] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.items)


# --- Querysets, one per section, from the apps that own them; None when not the user's ----------


def _visits_apply(user: User) -> bool:
    return getattr(user, "role", None) in VISIT_INBOX_ROLES


def _querysets(user: User, today: date) -> dict[str, QuerySet | None]:
    return {
        "alerts": cases.alerts_waiting(user),
        "leads": leads_waiting(user) if can(user, "lead.verify") else None,
        "to_verify": registry.categories_waiting(user, CategoryStatus.CANDIDATE),
        "to_approve": registry.categories_waiting(user, CategoryStatus.VERIFIED),
        "plans": cases.plans_waiting(user),
        "closures": cases.closures_waiting(user),
        "referrals": cases.referrals_overdue(user, today),
        "payroll": runs_waiting(user),
    }


def _visits(user: User, today: date) -> tuple[list[VisitDue], list[VisitDue]]:
    if not _visits_apply(user):
        return [], []
    rows = due_soon(visit_schedule(user=user, today=today), today=today)
    return [r for r in rows if r.overdue], [r for r in rows if not r.overdue]


# --- A director's day ---------------------------------------------------------------------------

# The home page lists at most this many visits due; the visits page has them all.
DAY_LIMIT = 8


@dataclass
class DayRow:
    due: VisitDue
    colour: RiskColour


@dataclass
class FieldDay:
    """What a field worker's home shows first: the visits overdue and due soon (overdue first),
    each child with its risk colour, and the children of the scope that are red or yellow."""

    rows: list[DayRow]
    count: int
    watch: list[tuple[Any, RiskColour]]


def field_day(user: User, today: date | None = None) -> FieldDay | None:
    """The day's visits and the children to watch for a user who visits (None for the others).
    A fixed number of queries: the schedule, the colours of the listed children, and the
    colours of the scope's children (cases.risk)."""
    if not (_visits_apply(user) and can(user, "visit.record")):
        return None
    today = today or timezone.localdate()
    rows = due_soon(visit_schedule(user=user, today=today), today=today)
    shown = rows[:DAY_LIMIT]
    colours = risk_colours([r.child for r in shown], today=today)
    children: list[Child] = []
    if user.role == Role.DIRECTOR:  # a community's children; wider scopes use the list pages
        visible = scope.visible(user, Child).select_related("person", "division")
        children = list(visible.order_by("pk")[:WATCH_SCAN])
    all_colours = risk_colours(children, today=today)
    watch = sorted(
        ((c, all_colours[c.pk]) for c in children if all_colours[c.pk].colour != GREEN),
        key=lambda pair: (pair[1].colour != RED, pair[0].person.name),
    )
    return FieldDay(
        rows=[DayRow(r, colours[r.child.pk]) for r in shown], count=len(rows), watch=watch[:20]
    )


# --- Public API ---------------------------------------------------------------------------------


def inbox_counts(user: User, today: date | None = None) -> dict[str, int]:
    """How many items wait in each section, plus "total": a dict with every key of SECTIONS
    (0 where the section does not apply to the user's role). At most one query per section."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(SECTIONS, 0)
    overdue, soon = _visits(user, today)
    counts["visits_overdue"], counts["visits_soon"] = len(overdue), len(soon)
    for key, qs in _querysets(user, today).items():
        if qs is not None:
            counts[key] = qs.count()
    counts["total"] = sum(counts[k] for k in SECTIONS)
    return counts


def _listed(qs: QuerySet, limit: int) -> tuple[list[Any], int]:
    # The window count travels with every row, so one query gives both the first `limit`
    # items and the section's full count (window functions are evaluated before LIMIT).
    rows = list(qs.annotate(inbox_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].inbox_total if rows else 0)


def inbox_items(
    user: User, today: date | None = None, *, limit: int = SECTION_LIMIT
) -> list[Section]:
    """The user's inbox: the sections that apply to its role, in display order, each with its
    first `limit` items and its full count. Records one search event (it lists children)."""
    today = today or timezone.localdate()
    sections: dict[str, Section] = {}
    if _visits_apply(user):
        overdue, soon = _visits(user, today)
        for key, rows in (("visits_overdue", overdue), ("visits_soon", soon)):
            sections[key] = Section(key, str(TITLES[key]), rows[:limit], len(rows))
    for key, qs in _querysets(user, today).items():
        if qs is not None:
            items, count = _listed(qs, limit)
            for item in items:
                _decorate(key, item, today)
            sections[key] = Section(key, str(TITLES[key]), items, count)
    audit_record(
        by=user,
        action=AuditAction.SEARCH,
        object_type="child",
        label="待办事项",  # stored as data: the trail reads the same in every UI language
        detail={k: s.count for k, s in sections.items() if s.count},
    )
    return [sections[k] for k in SECTIONS if k in sections]


def section_page(
    user: User, key: str, number: str | int | None = 1, today: date | None = None
) -> tuple[Section, Page] | None:
    """One section of the user's inbox, every item on pages of PAGE_SIZE, oldest first; None
    when the section is unknown or not the user's. Records one search event."""
    today = today or timezone.localdate()
    rows: QuerySet | list[Any] | None
    if key in ("visits_overdue", "visits_soon"):
        if not _visits_apply(user):
            return None
        overdue, soon = _visits(user, today)
        rows = overdue if key == "visits_overdue" else soon
    else:
        rows = _querysets(user, today).get(key)
    if rows is None:
        return None
    page = Paginator(rows, PAGE_SIZE).get_page(number)
    if not isinstance(rows, list):
        for item in page.object_list:
            _decorate(key, item, today)
    audit_record(
        by=user,
        action=AuditAction.SEARCH,
        object_type="child",
        label="待办事项",
        detail={"section": key, "page": page.number},
    )
    section = Section(key, str(TITLES[key]), list(page.object_list), page.paginator.count)
    return section, page


# --- Where each item leads ----------------------------------------------------------------------


# The date each kind of item has waited since (the oldest first in every section).
SINCE = {
    "alerts": "created_at",
    "leads": "raised_at",
    "to_verify": "proposed_at",
    "to_approve": "verified_at",
    "plans": "drafted_at",
    "closures": "opened_at",
    "referrals": "sent_on",
    "payroll": "computed_at",
}


def _decorate(key: str, item: Any, today: date) -> None:
    """What a row shows beyond its fields: where it leads, how long it has waited, whether that
    is long enough to mark it as old."""
    item.inbox_url = _item_url(key, item)
    since = getattr(item, SINCE[key], None) if key in SINCE else None
    if isinstance(since, datetime):
        since = timezone.localdate(since)
    item.waiting_since = since
    item.days_waiting = (today - since).days if since else 0
    item.is_old = item.days_waiting > OLD_DAYS


def _item_url(key: str, item: Any) -> str:
    if key == "to_verify":
        return reverse("registry:category_step", args=[item.pk, "verify"])
    if key == "to_approve":
        return reverse("registry:category_step", args=[item.pk, "approve"])
    if key == "leads":
        return reverse("screening:lead_detail", args=[item.pk])
    # Plans, closures, alerts and referrals are acted on from the case's page.
    if key == "closures":
        return reverse("cases:case_detail", args=[item.pk])
    if key in ("plans", "alerts", "referrals"):
        return reverse("cases:case_detail", args=[item.case_id])
    if key == "payroll":
        return reverse("benefits:run_detail", args=[item.pk])
    return ""
