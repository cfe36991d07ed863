"""Home-visit reads: who needs a visit, when it is due, and a child's recorded visits.

The schedule rule (issue 5, part 4; frequencies in settings.HUHANG_VISIT_MONTHS):

- an approved orphan or DFUC living at home (社会散居) is visited every
  HUHANG_VISIT_MONTHS[category] months;
- a child with an open high-risk case is visited every HUHANG_VISIT_MONTHS["high_risk"] months;
- a child due for several reasons takes the shortest interval.

The next visit is due on the latest visit's `next_due`. Before the first visit, each reason
is due one of its intervals after it started (approval effective_from, case opened on the local
day), and the earliest of these applies. (Taking one interval after the *latest* start instead
would let a new reason postpone a visit already overdue: an orphan unvisited since January
would stop being overdue in June because a high-risk case was opened then.) Where one reason
has both the latest start and the shortest interval, both readings give the same day. Overdue
means due before today. Month steps clamp to the month's end (core.dates.add_months).

Set-based: one query reads every child of the scope that needs visits, with its reasons and its
latest visit as correlated subqueries; Python only does the date arithmetic on the rows. The
number of queries never depends on the number of children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.cases.models import Case, CaseStatus, HomeVisit, Risk, VisitPhoto
from huhang.core import scope
from huhang.core.audit import audit_record
from huhang.core.dates import add_months
from huhang.core.models import AuditAction
from huhang.core.roles import Role
from huhang.registry.models import (
    ALLOWANCE_CATEGORIES,
    Category,
    CategoryAssignment,
    CategoryStatus,
    Child,
    ChildStatus,
    Living,
)

if TYPE_CHECKING:
    from huhang.accounts.models import User

# Visits due within this many days count as "due soon" (visits page and inbox).
DUE_SOON_DAYS = 30

HIGH_RISK = "high_risk"
# The children visited at home for their category: the protected ones whose allowance the
# bureau pays (orphans and DFUC), each every HUHANG_VISIT_MONTHS[category] months.
VISIT_CATEGORIES = ALLOWANCE_CATEGORIES


@dataclass(frozen=True)
class VisitDue:
    """One child of the schedule: why it is visited, when it was last visited, when next."""

    child: Child
    reason: str  # the reason whose interval applies from now on (the shortest)
    reasons: tuple[str, ...]  # every reason that asks for visits
    interval_months: int
    last_visited_on: date | None
    due_on: date
    days_overdue: int  # 0 unless overdue
    days_left: int  # 0 when due today or overdue

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def _reason_label(key: str) -> str:
    return _("高风险个案") if key == HIGH_RISK else str(Category(key).label)


def _schedule_queryset(children: QuerySet[Child], today: date) -> QuerySet[Child]:
    """The children of `children` that need visits, annotated with the schedule's inputs."""
    approved = CategoryAssignment.objects.filter(
        child=OuterRef("pk"), status=CategoryStatus.APPROVED
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
    high_risk = Case.objects.filter(child=OuterRef("pk"), risk=Risk.HIGH).exclude(
        status=CaseStatus.CLOSED
    )
    latest_visit = HomeVisit.objects.filter(child=OuterRef("pk")).order_by("-visited_on", "-pk")
    at_home_protected = Q(living=Living.HOME) & Exists(
        approved.filter(category__in=VISIT_CATEGORIES)
    )
    annotations = {
        f"{c}_from": Subquery(approved.filter(category=c).values("effective_from")[:1])
        for c in VISIT_CATEGORIES
    }
    return (
        children.filter(status=ChildStatus.ACTIVE)
        .filter(at_home_protected | Exists(high_risk))
        .annotate(
            **annotations,
            high_risk_opened=Subquery(high_risk.order_by("-opened_at").values("opened_at")[:1]),
            last_visited_on=Subquery(latest_visit.values("visited_on")[:1]),
            last_next_due=Subquery(latest_visit.values("next_due")[:1]),
        )
        .select_related("person", "division")
    )


def _row(child: Any, today: date) -> VisitDue | None:
    """Combine one child annotated by _schedule_queryset into its schedule row (no queries)."""
    months = settings.HUHANG_VISIT_MONTHS
    reasons: list[tuple[int, str, date]] = []  # (interval, reason, since)
    if child.living == Living.HOME:
        for c in VISIT_CATEGORIES:
            since = getattr(child, f"{c}_from")
            if since is not None:
                reasons.append((months[c], str(c), since))
    if child.high_risk_opened is not None:
        reasons.append((months[HIGH_RISK], HIGH_RISK, timezone.localdate(child.high_risk_opened)))
    if not reasons:
        return None
    interval, reason, _since = min(reasons, key=lambda r: r[0])
    if child.last_visited_on is not None:
        due = child.last_next_due
    else:
        due = min(add_months(since, step) for step, _r, since in reasons)
    return VisitDue(
        child=child,
        reason=_reason_label(reason),
        reasons=tuple(_reason_label(r) for _m, r, _s in sorted(reasons)),
        interval_months=interval,
        last_visited_on=child.last_visited_on,
        due_on=due,
        days_overdue=max((today - due).days, 0),
        days_left=max((due - today).days, 0),
    )


def schedule_for(children: QuerySet[Child], *, today: date | None = None) -> list[VisitDue]:
    """The schedule of the given children (already scoped by the caller): earliest due first,
    so overdue visits come first. One query."""
    today = today or timezone.localdate()
    rows = (_row(child, today) for child in _schedule_queryset(children, today))
    return sorted(
        (r for r in rows if r is not None),
        key=lambda r: (r.due_on, r.child.person.name, r.child.pk),
    )


def visit_schedule(*, user: User, today: date | None = None) -> list[VisitDue]:
    """Every child in the user's scope that needs visits, earliest due first (no audit event:
    callers that show the rows record one)."""
    return schedule_for(scope.visible(user, Child), today=today)


def due_soon(rows: list[VisitDue], *, today: date, days: int = DUE_SOON_DAYS) -> list[VisitDue]:
    """The rows overdue or due within `days` days."""
    horizon = today + timedelta(days=days)
    return [r for r in rows if r.due_on <= horizon]


def visits_due(
    *, user: User, today: date | None = None, days: int = DUE_SOON_DAYS
) -> list[VisitDue]:
    """The visits page: overdue and due within `days` days in the user's scope, overdue first.
    Records one search event."""
    today = today or timezone.localdate()
    rows = due_soon(visit_schedule(user=user, today=today), today=today, days=days)
    audit_record(
        by=user,
        action=AuditAction.SEARCH,
        object_type="child",
        label="探访计划",  # stored as data: the trail reads the same in every UI language
        detail={"days": days, "rows": len(rows)},
    )
    return rows


# --- For the child's archive page ---------------------------------------------------------------


def child_visit_due(*, child: Child, today: date | None = None) -> VisitDue | None:
    """The child's schedule row, or None when no rule asks for visits. One query; the caller
    has already checked that the user may see the child."""
    rows = schedule_for(Child.objects.filter(pk=child.pk), today=today)
    return rows[0] if rows else None


def child_visits(*, user: User, child: Child) -> list[HomeVisit]:
    """The child's recorded visits, newest first, with visitor, case and photos (2 queries).

    A social worker sees the visits of its own cases and those it recorded itself (the timeline
    shows it the first only); everybody else who may see the child sees all of them."""
    visits = HomeVisit.objects.filter(child=child)
    if getattr(user, "role", None) == Role.SOCIAL_WORKER:
        visits = visits.filter(Q(case__in=scope.visible(user, Case)) | Q(visitor=user))
    photos = VisitPhoto.objects.select_related("document").order_by("pk")
    return list(
        visits.select_related("visitor", "case")
        .prefetch_related(Prefetch("photos", queryset=photos))
        .order_by("-visited_on", "-pk")
    )


# --- For the visit form ----------------------------------------------------------------------


def case_to_preselect(cases: QuerySet[Case]) -> int | None:
    """The open case a new visit most likely belongs to, for the form to preselect: a high-risk
    one first, then the most recently opened (None without open cases)."""
    high_first = When_(When(risk=Risk.HIGH, then=Value(0)), default=Value(1))
    return cases.order_by(high_first, "-opened_at", "-pk").values_list("pk", flat=True).first()


def visit_interval_months(child: Child) -> int | None:
    """The required visit interval for a child, or None when no rule asks for visits (the rule
    of the schedule above, for one child as it is now)."""
    months = settings.HUHANG_VISIT_MONTHS
    intervals = []
    if child.living == Living.HOME:
        approved = child.categories.filter(
            status=CategoryStatus.APPROVED, category__in=VISIT_CATEGORIES
        ).values_list("category", flat=True)
        intervals += [months[c] for c in approved]
    if child.cases.filter(risk=Risk.HIGH).exclude(status=CaseStatus.CLOSED).exists():
        intervals.append(months[HIGH_RISK])
    return min(intervals) if intervals else None


def next_visit_interval(child: Child) -> int:
    """The months until the next visit after one today: the child's rule, or an orphan's."""
    return visit_interval_months(child) or settings.HUHANG_VISIT_MONTHS[Category.ORPHAN]


def visit_sent_before(*, user: User, client_id: UUID) -> HomeVisit | None:
    """The visit this user already sent under the phone's id, if any (an outbox's retry)."""
    return HomeVisit.objects.filter(client_id=client_id, visitor=user).first()


# --- The field worker's children, offline too (issue 13) ---------------------------------------


@dataclass(frozen=True)
class FieldChild:
    """One child of the field worker's list: who, what it is known for, its colour, its visits.
    Nothing here is an ID number or a document: the list is kept on the phone for offline use."""

    child: Child
    colour: str
    categories: tuple[str, ...]
    cases: tuple[str, ...]  # the open cases' summaries
    due: VisitDue | None


def field_children(*, user: User, today: date | None = None) -> list[FieldChild]:
    """Every active child of the user's scope, red first, then yellow, then green, each by
    the visit due (earliest first) and name. A fixed number of queries; records one search."""
    from huhang.cases.risk import GREEN, RED, YELLOW, risk_colours

    today = today or timezone.localdate()
    children = scope.visible(user, Child).filter(status=ChildStatus.ACTIVE)
    colours = {pk: rc.colour for pk, rc in risk_colours(children, today=today).items()}
    due = {row.child.pk: row for row in schedule_for(children, today=today)}
    approved = CategoryAssignment.objects.filter(status=CategoryStatus.APPROVED)
    open_cases = scope.visible(user, Case).exclude(status=CaseStatus.CLOSED).order_by("opened_at")
    rows = []
    for child in children.select_related("person", "division").prefetch_related(
        Prefetch("categories", queryset=approved, to_attr="approved_list"),
        Prefetch("cases", queryset=open_cases, to_attr="open_case_list"),
    ):
        rows.append(
            FieldChild(
                child=child,
                colour=colours.get(child.pk, GREEN),
                categories=tuple(str(a.get_category_display()) for a in child.approved_list),
                cases=tuple(c.summary for c in child.open_case_list),
                due=due.get(child.pk),
            )
        )
    order = {RED: 0, YELLOW: 1, GREEN: 2}
    rows.sort(
        key=lambda r: (
            order[r.colour],
            r.due.due_on if r.due else date.max,
            r.child.person.name,
            r.child.pk,
        )
    )
    audit_record(
        by=user,
        action=AuditAction.SEARCH,
        object_type="child",
        label="我的儿童（外勤）",
        detail={"rows": len(rows)},
    )
    return rows
