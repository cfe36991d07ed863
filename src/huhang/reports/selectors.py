"""Reads shared by the dashboard (dashboard/selectors.py) and the half-year report
(half_year/selectors.py): which division a page is about, its units, and the figures both show.

The division a figure is about comes from `division_for_user` (core.scope, rule "reports"); every
figure is read from that division's subtree (a range on the division code: core.divisions.subtree_q). The
figures are counts: each is one set-based GROUP BY (or conditional aggregate) in the database,
and Python only rolls the few grouped rows up to streets or communities. The number of queries
is fixed, whatever the number of children.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from huhang.accounts.models import Organisation, User
from huhang.community.models import Activity, Allocation, AllocationStatus
from huhang.core import scope
from huhang.core.access import get_or_404
from huhang.core.divisions import CODE_LENGTH, subtree_q
from huhang.regions.models import Division, Level
from huhang.registry.models import Category, CategoryStatus, Child
from huhang.reports.periods import Period
from huhang.screening.models import LeadStatus

CATEGORIES = list(Category)
WAITING = (LeadStatus.NEW, LeadStatus.VERIFIED, LeadStatus.REVIEWED)


def report_divisions(*, user: User) -> QuerySet[Division]:
    """The divisions whose figures the user may read (core.scope, rule "reports")."""
    return scope.visible(user, Division, "reports")


def division_for_user(*, user: User, code: str | None = None) -> Division:
    """The division a dashboard or report is about: the user's own node when no code is given,
    else that node if it lies in the user's subtree; 404 otherwise. Every figure of the report
    is then read from this division's subtree."""
    code = code or scope.division_prefix(user)
    if not code:
        raise Http404
    # Its ancestors come along: pages name the division in full (区 街道 社区).
    divisions = report_divisions(user=user)
    return get_or_404(divisions.select_related("parent__parent__parent__parent"), code)


# --- Units: the level below the division ----------------------------------------------------------


@dataclass
class Unit:
    code: str
    name: str


def units_of(division: Division) -> list[Unit]:
    """The rows of "by street / by community" tables: the division's children in the tree (a
    community is its own only unit). One query, or none for a community."""
    if division.level >= Level.COMMUNITY:
        return [Unit(division.code, division.name)]
    return [Unit(code, name) for code, name in division.children.values_list("code", "name")]


def unit_key(division: Division, code: str) -> str:
    """The unit a community's code belongs to (its ancestor one level below the division)."""
    if division.level >= Level.COMMUNITY:
        return division.code
    return code[: CODE_LENGTH[division.level + 1]]


def unit_level_label(division: Division) -> str:
    if division.level >= Level.STREET:
        return _("社区/村")
    if division.level == Level.DISTRICT:
        return _("街道/乡镇")
    return _("下级区划")


def within(division: Division, path: str) -> Q:
    return subtree_q(division.code, path)


def note_coverage(division: Division) -> None:
    """Note on the division whether any child at all lies outside its subtree (one query: two
    seeks on the child division index). When none does — the bureau's district in an
    installation that serves one district — a fact's child needs no check (child_in)."""
    code = division.code
    if len(code) == CODE_LENGTH[Level.COMMUNITY]:
        outside = Q(division_id__lt=code) | Q(division_id__gt=code)
    else:
        upper = str(int(code) + 1).zfill(len(code))
        outside = Q(division_id__lt=code)
        if len(upper) == len(code):
            outside |= Q(division_id__gte=upper)
    covers = not Child.objects.filter(outside).exists()
    division.covers_every_child = covers  # type: ignore[attr-defined]  # read by child_in


def child_in(division: Division, child: str = "child") -> Q | Exists:
    """Rows of a fact table (categories, cases, services, payments, ...) whose child, reached
    through `child` (a foreign key path), lies in the division's subtree: the same rows as
    `within(division, child + "__division_id")`, in the shape that reads less.

    For a street or a community the child index's range is small: the database reads it first
    and the facts of those children by their index. At district level (and above) the range is
    every child of the installation, ~130,000 index entries read before a single fact; there
    the fact table, a few hundred or thousand rows, drives, and each row's child is checked by
    its primary key (a correlated EXISTS, on both engines)."""
    if getattr(division, "covers_every_child", False):
        return Q()  # see note_coverage: every row is in the subtree
    if division.level > Level.DISTRICT:
        return within(division, f"{child}__division_id")
    return Exists(
        Child.objects.filter(within(division, "division_id"), pk=OuterRef(child)).values("pk")
    )


# --- Category figures -----------------------------------------------------------------------------


def approved_in(period: Period) -> Q:
    return Q(approved_at__gte=period.start_at, approved_at__lt=period.end_before)


def ended_in(period: Period) -> Q:
    # Endings of approved categories only: a rejected candidate was never in force (no
    # effective_from) and is not an ending.
    return Q(
        status=CategoryStatus.ENDED,
        effective_from__isnull=False,
        effective_to__gte=period.start,
        effective_to__lte=period.end,
    )


def in_force_after(day: date) -> Q:
    """Approved by the end of `day` and still in force after it."""
    end = Period(day, day).end_before
    return (
        Q(approved_at__lt=end, effective_from__lte=day)
        & Q(status__in=[CategoryStatus.APPROVED, CategoryStatus.ENDED])
        & (Q(effective_to__isnull=True) | Q(effective_to__gt=day))
    )


# --- Community figures ----------------------------------------------------------------------------


def activities_held(division: Division, period: Period) -> QuerySet[Activity]:
    return Activity.objects.filter(
        within(division, "station__division_id"),
        held_on__gte=period.start,
        held_on__lte=period.end,
    )


def allocations_received(division: Division, period: Period) -> QuerySet[Allocation]:
    return Allocation.objects.filter(
        child_in(division),
        status=AllocationStatus.CONFIRMED,
        received_on__gte=period.start,
        received_on__lte=period.end,
    )


def partners_linked(division: Division, period: Period) -> int:
    """Organisations that took part in an activity held in the division in the period or gave a
    resource a child of the division received in it (one query)."""
    activities = activities_held(division, period).values("pk")
    resources = allocations_received(division, period).values("resource_id")
    return (
        Organisation.objects.filter(Q(activities__in=activities) | Q(resources__in=resources))
        .values("pk")
        .distinct()
        .count()
    )
