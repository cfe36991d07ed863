"""The dashboard of a division: children by category and unit, changes, leads waiting, visits
overdue, cases by risk, payments on time and in full, community work. A fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.accounts.models import User
from huhang.benefits import selectors as benefits
from huhang.cases.models import Case, CaseStatus, Risk
from huhang.cases.visits.selectors import DUE_SOON_DAYS, VISIT_CATEGORIES, schedule_for
from huhang.community.models import (
    Activity,
    Training,
)
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.regions.models import Division
from huhang.regions.selectors import DivisionFigures
from huhang.registry import selectors as registry
from huhang.registry.models import CategoryAssignment, CategoryStatus, Child
from huhang.reports import charts
from huhang.reports.periods import HalfYear, Period, last_months, month_of
from huhang.reports.selectors import (
    CATEGORIES,
    WAITING,
    approved_in,
    child_in,
    ended_in,
    note_coverage,
    partners_linked,
    unit_key,
    unit_level_label,
    units_of,
    within,
)
from huhang.reports.tables import COUNT, NUMBER, TEXT, Column, Table
from huhang.screening.models import Lead

PAYMENT_MONTHS = 3  # months of 按时足额 on the dashboard


# --- Dashboard ------------------------------------------------------------------------------------


@dataclass
class UnitRow(DivisionFigures):
    children: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def category_counts(self) -> list[int]:
        return [self.categories.get(c.value, 0) for c in CATEGORIES]

    @property
    def category_cells(self) -> list[tuple[str, int]]:
        return [(str(c.label), self.categories.get(c.value, 0)) for c in CATEGORIES]


@dataclass
class ChangeRow:
    category: str
    label: str
    approved_month: int = 0
    ended_month: int = 0
    approved_half: int = 0
    ended_half: int = 0


@dataclass(frozen=True)
class PaymentMonth(benefits.MonthShare):
    """A month of 按时足额 (the benefits app's figure) as the dashboard shows it."""

    @property
    def share(self) -> float | None:
        return 100 * self.on_time_in_full / self.entitled if self.entitled else None

    @property
    def pct(self) -> str:
        return benefits.percent(self.on_time_in_full, self.entitled)


@dataclass
class Dashboard:
    division: Division
    today: date
    month: Period
    half: HalfYear
    unit_label: str
    units: list[UnitRow]
    total: UnitRow
    changes: list[ChangeRow]
    leads: list[tuple[str, str, int]]
    visits_overdue: int
    visits_due_soon: int
    cases: list[tuple[str, str, int]]
    payments: list[PaymentMonth]
    community: dict[str, int]
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def category_labels(self) -> list[str]:
        return [str(c.label) for c in CATEGORIES]

    @property
    def leads_waiting(self) -> int:
        return sum(n for _s, _l, n in self.leads)

    @property
    def open_cases(self) -> int:
        return sum(n for _r, _l, n in self.cases)


def dashboard(
    *, user: User, division: Division, today: date | None = None, export: str = ""
) -> Dashboard:
    """The dashboard of one division (already checked by core.scope). Records one event: a
    view, or an export in the named format."""
    today = today or timezone.localdate()
    month, half = month_of(today), HalfYear.containing(today)
    note_coverage(division)
    units = {u.code: UnitRow(u.code, u.name) for u in units_of(division)}
    _children_by_unit(division, units)
    changes = _categories(division, units, today, month, half)
    overdue, due_soon = _visits(division, units, today)
    total = UnitRow("", _("合计"))
    for row in units.values():
        total.add(row)
    board = Dashboard(
        division=division,
        today=today,
        month=month,
        half=half,
        unit_label=unit_level_label(division),
        units=list(units.values()),
        total=total,
        changes=changes,
        leads=_leads_waiting(division),
        visits_overdue=overdue,
        visits_due_soon=due_soon,
        cases=_cases_by_risk(division),
        payments=_payments(division, today),
        community=_community_to_date(division, month, half, today),
    )
    board.charts = _dashboard_charts(board)
    audit_record(
        by=user,
        action=AuditAction.EXPORT if export else AuditAction.VIEW,
        object_type="dashboard",
        object_id=division.code,
        label="统计看板",  # stored as data: the trail reads the same in every UI language
        detail={"division": division.code, **({"format": export} if export else {})},
    )
    return board


def dashboard_tables(board: Dashboard) -> list[Table]:
    """The dashboard's tables as the workbook shows them (the page's tables, same figures)."""
    labels = board.category_labels
    unit_columns = [
        Column(board.unit_label, TEXT),
        Column(_("在册儿童"), COUNT),
        *(Column(label, COUNT) for label in labels),
        Column(_("探访逾期"), COUNT),
    ]

    def unit_row(u: UnitRow) -> list:
        return [u.name, u.children, *u.category_counts, u.overdue]

    pct = _("比例（%）")
    return [
        Table(
            "units",
            _("保障儿童（按类别）"),
            unit_columns,
            [unit_row(u) for u in board.units],
            total=unit_row(board.total),
        ),
        Table(
            "changes",
            _("类别变动"),
            [Column(_("类别"), TEXT)]
            + [
                Column(label, COUNT)
                for label in (_("本月新认定"), _("本月终止"), _("本半年新认定"), _("本半年终止"))
            ],
            [
                [c.label, c.approved_month, c.ended_month, c.approved_half, c.ended_half]
                for c in board.changes
            ],
        ),
        Table(
            "leads",
            _("待办线索（按状态）"),
            [Column(_("状态"), TEXT), Column(_("线索"), COUNT)],
            [[label, n] for _code, label, n in board.leads],
            total=[_("合计"), board.leads_waiting],
        ),
        Table(
            "cases",
            _("在办个案（按风险等级）"),
            [Column(_("风险等级"), TEXT), Column(_("个案"), COUNT)],
            [[label, n] for _risk, label, n in board.cases],
            total=[_("合计"), board.open_cases],
        ),
        Table(
            "payments",
            _("保障资金按时足额发放"),
            [
                Column(_("月份"), TEXT),
                Column(_("应发人数"), COUNT),
                Column(_("按时足额"), COUNT),
                Column(pct, NUMBER),
            ],
            [
                [f"{p.month:%Y-%m}", p.entitled, p.on_time_in_full, _share(p)]
                for p in board.payments
            ],
        ),
        Table(
            "community",
            _("关爱服务"),
            [Column("", TEXT), Column(_("本月"), COUNT), Column(_("本半年"), COUNT)],
            [
                [
                    _("开展活动（场）"),
                    board.community["activities_month"],
                    board.community["activities_half"],
                ],
                [
                    _("开展培训（场）"),
                    board.community["trainings_month"],
                    board.community["trainings_half"],
                ],
                [_("链接社会组织和爱心单位（家）"), None, board.community["partners_half"]],
            ],
        ),
    ]


def _share(month: PaymentMonth) -> Decimal | None:
    if not month.entitled:
        return None
    return (Decimal(100 * month.on_time_in_full) / month.entitled).quantize(Decimal("0.1"))


def _children_by_unit(division: Division, units: dict[str, UnitRow]) -> None:
    rows = (
        Child.objects.filter(within(division, "division_id"), registry.on_register_q())
        .order_by()
        .values_list("division_id")
        .annotate(n=Count("pk"))
    )
    for code, n in rows:
        key = unit_key(division, code)
        units.setdefault(key, UnitRow(key, key)).children += n


def _visits(division: Division, units: dict[str, UnitRow], today: date) -> tuple[int, int]:
    """Overdue visits by unit and the number due within DUE_SOON_DAYS days, from the cases
    app's own schedule (one query). The schedule is asked about the children it could concern
    (an approved orphan or DFUC, or an open high-risk case: hundreds), not every child of the
    district; its own rule then decides which of them are due."""
    approved = CategoryAssignment.objects.filter(
        status=CategoryStatus.APPROVED, category__in=VISIT_CATEGORIES
    ).values("child_id")
    high_risk = (
        Case.objects.filter(risk=Risk.HIGH).exclude(status=CaseStatus.CLOSED).values("child_id")
    )
    candidates = Child.objects.filter(within(division, "division_id")).filter(
        Q(pk__in=approved) | Q(pk__in=high_risk)
    )
    rows = schedule_for(candidates, today=today)
    due_soon = 0
    overdue = 0
    for row in rows:
        if row.overdue:
            overdue += 1
            key = unit_key(division, row.child.division_id)
            units.setdefault(key, UnitRow(key, key)).overdue += 1
        elif row.days_left <= DUE_SOON_DAYS:
            due_soon += 1
    return overdue, due_soon


def _categories(
    division: Division, units: dict[str, UnitRow], today: date, month: Period, half: HalfYear
) -> list[ChangeRow]:
    """One pass over the category assignments: by unit, the children of each category in force
    today (approved, not ended, the child still on the register); by category, the approvals
    and endings of this month and this half-year."""
    since = min(month.start, half.start)
    # The same definition as the home page's (registry.selectors).
    in_force = registry.category_in_force_q(today)
    rows = (
        CategoryAssignment.objects.filter(child_in(division))
        .filter(
            Q(status=CategoryStatus.APPROVED)
            | Q(approved_at__gte=Period(since, since).start_at)
            | Q(status=CategoryStatus.ENDED, effective_to__gte=since)
        )
        .order_by()
        .values_list("child__division_id", "category")
        .annotate(
            in_force=Count("pk", filter=in_force),
            approved_month=Count("pk", filter=approved_in(month)),
            ended_month=Count("pk", filter=ended_in(month)),
            approved_half=Count("pk", filter=approved_in(half)),
            ended_half=Count("pk", filter=ended_in(half)),
        )
    )
    changes = {c.value: ChangeRow(c.value, str(c.label)) for c in CATEGORIES}
    for code, category, n, *counts in rows:
        if n:
            key = unit_key(division, code)
            row = units.setdefault(key, UnitRow(key, key))
            row.categories[category] = row.categories.get(category, 0) + n
        change = changes.get(category)
        if change is not None:
            change.approved_month += counts[0]
            change.ended_month += counts[1]
            change.approved_half += counts[2]
            change.ended_half += counts[3]
    return list(changes.values())


def _leads_waiting(division: Division) -> list[tuple[str, str, int]]:
    counts = dict(
        Lead.objects.filter(within(division, "division_id"), status__in=WAITING)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in WAITING]


def _cases_by_risk(division: Division) -> list[tuple[str, str, int]]:
    counts = dict(
        Case.objects.filter(child_in(division))
        .exclude(status=CaseStatus.CLOSED)
        .order_by()
        .values_list("risk")
        .annotate(n=Count("pk"))
    )
    rows = [(r.value, str(r.label), counts.get(r.value, 0)) for r in Risk]
    rows.append(("", _("未评估"), counts.get("", 0)))
    return rows


def _payments(division: Division, today: date) -> list[PaymentMonth]:
    """按时足额 of the latest months, from the benefits app's public figures."""
    children = Child.objects.filter(within(division, "division_id"))
    months = last_months(today, PAYMENT_MONTHS)
    shares = benefits.payment_shares(children=children, months=months, today=today)
    return [PaymentMonth(s.month, s.entitled, s.on_time_in_full) for s in shares]


def _community_to_date(
    division: Division, month: Period, half: HalfYear, today: date
) -> dict[str, int]:
    """Activities and trainings held (up to today) this month and half-year; partners linked
    this half-year (three queries)."""
    held = Q(held_on__lte=today)
    acts = Activity.objects.filter(within(division, "station__division_id"), held).aggregate(
        activities_month=Count("pk", filter=Q(held_on__gte=month.start)),
        activities_half=Count("pk", filter=Q(held_on__gte=half.start)),
    )
    trainings = Training.objects.filter(within(division, "division_id"), held).aggregate(
        trainings_month=Count("pk", filter=Q(held_on__gte=month.start)),
        trainings_half=Count("pk", filter=Q(held_on__gte=half.start)),
    )
    period = Period(half.start, min(half.end, today))
    return {**acts, **trainings, "partners_half": partners_linked(division, period)}


def _dashboard_charts(board: Dashboard) -> dict[str, str]:
    labels = board.category_labels
    return {
        "categories": charts.responsive(
            charts.stacked_bar_chart,
            [(u.name, u.category_counts) for u in board.units],
            series=labels,
            title=_("各%(unit)s在册保障儿童（按类别）") % {"unit": board.unit_label},
            unit=_("人"),
        ),
        "cases": charts.responsive(
            charts.bar_chart,
            [(label, n) for _r, label, n in board.cases],
            title=_("在办个案（按风险等级）"),
            unit=_("件"),
        ),
        "payments": charts.responsive(
            charts.line_chart,
            [(f"{p.month:%Y-%m}", p.share) for p in board.payments],
            title=_("按时足额发放率"),
            unit="%",
            top=100,
        ),
    }
