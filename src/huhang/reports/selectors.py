"""Every read of the dashboards and the half-year report.

The division a figure is about comes from core.scope (`report_division_or_404`); every figure is
read from that division's subtree (a range on the division code: regions.models.subtree_q). The
figures are counts: each is one set-based GROUP BY (or conditional aggregate) in the database,
and Python only rolls the few grouped rows up to streets or communities. The number of queries
is fixed, whatever the number of children.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.benefits import selectors as benefits
from huhang.benefits.models import LineStatus, PayrollLine, Programme
from huhang.cases.models import Case, CaseStatus, Risk, ServiceRecord
from huhang.cases.selectors_visits import DUE_SOON_DAYS, schedule_for
from huhang.community.models import (
    Activity,
    Allocation,
    AllocationStatus,
    Enrolment,
    Training,
)
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.regions.models import CODE_LENGTH, Division, Level, subtree_q
from huhang.registry.models import (
    Category,
    CategoryAssignment,
    CategoryStatus,
    Child,
    ChildStatus,
)
from huhang.reports import charts
from huhang.reports.periods import HalfYear, Period, last_months, month_of
from huhang.reports.tables import DECIMAL, FEN, NUMBER, TEXT, Column, Table, fen_to_decimal
from huhang.screening.models import Lead, LeadKind, LeadStatus

CATEGORIES = list(Category)
WAITING = (LeadStatus.NEW, LeadStatus.VERIFIED, LeadStatus.REVIEWED)
PAYMENT_MONTHS = 3  # months of 按时足额 on the dashboard
SCHOLARSHIP = "scholarship"


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
    return code[: CODE_LENGTH[Level(division.level + 1)]]


def unit_level_label(division: Division) -> str:
    if division.level >= Level.STREET:
        return _("社区/村")
    if division.level == Level.DISTRICT:
        return _("街道/乡镇")
    return _("下级区划")


def _in(division: Division, path: str) -> Q:
    return subtree_q(division.code, path)


def _roll_up(division: Division, rows) -> dict[str, dict]:
    """{unit: {key: n}} from rows (community code, key, n)."""
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for code, key, n in rows:
        out[unit_key(division, code)][key] += n or 0
    return out


# --- Category figures -----------------------------------------------------------------------------


def _approved_in(period: Period) -> Q:
    return Q(approved_at__gte=period.start_at, approved_at__lt=period.end_before)


def _ended_in(period: Period) -> Q:
    # Endings of approved categories only: a rejected candidate was never in force (no
    # effective_from) and is not an ending.
    return Q(
        status=CategoryStatus.ENDED,
        effective_from__isnull=False,
        effective_to__gte=period.start,
        effective_to__lte=period.end,
    )


def _in_force_after(day: date) -> Q:
    """Approved by the end of `day` and still in force after it."""
    end = Period(day, day).end_before
    return (
        Q(approved_at__lt=end, effective_from__lte=day)
        & Q(status__in=[CategoryStatus.APPROVED, CategoryStatus.ENDED])
        & (Q(effective_to__isnull=True) | Q(effective_to__gt=day))
    )


# --- Dashboard ------------------------------------------------------------------------------------


@dataclass
class UnitRow:
    code: str
    name: str
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


@dataclass
class PaymentMonth:
    month: date
    entitled: int
    on_time_in_full: int

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


def dashboard(*, user, division: Division, today: date | None = None) -> Dashboard:
    """The dashboard of one division (already checked by core.scope). Records one view event."""
    today = today or timezone.localdate()
    month, half = month_of(today), HalfYear.containing(today)
    units = {u.code: UnitRow(u.code, u.name) for u in units_of(division)}
    _children_by_unit(division, units)
    _categories_by_unit(division, units, today)
    overdue, due_soon = _visits(division, units, today)
    total = UnitRow("", _("合计"))
    for row in units.values():
        total.children += row.children
        total.overdue += row.overdue
        for key, n in row.categories.items():
            total.categories[key] = total.categories.get(key, 0) + n
    board = Dashboard(
        division=division,
        today=today,
        month=month,
        half=half,
        unit_label=unit_level_label(division),
        units=list(units.values()),
        total=total,
        changes=_changes(division, month, half),
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
        action=AuditAction.VIEW,
        object_type="dashboard",
        object_id=division.code,
        label="统计看板",  # stored as data: the trail reads the same in every UI language
        detail={"division": division.code},
    )
    return board


def _children_by_unit(division: Division, units: dict[str, UnitRow]) -> None:
    rows = (
        Child.objects.filter(_in(division, "division_id"), status=ChildStatus.ACTIVE)
        .order_by()
        .values_list("division_id")
        .annotate(n=Count("pk"))
    )
    for code, n in rows:
        key = unit_key(division, code)
        units.setdefault(key, UnitRow(key, key)).children += n


def _categories_by_unit(division: Division, units: dict[str, UnitRow], today: date) -> None:
    """Children of each category in force today (approved, not ended), by unit."""
    rows = (
        CategoryAssignment.objects.filter(
            _in(division, "child__division_id"),
            child__status=ChildStatus.ACTIVE,
            status=CategoryStatus.APPROVED,
            effective_from__lte=today,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .order_by()
        .values_list("child__division_id", "category")
        .annotate(n=Count("pk"))
    )
    for key, counts in _roll_up(division, rows).items():
        row = units.setdefault(key, UnitRow(key, key))
        row.categories.update(counts)


def _visits(division: Division, units: dict[str, UnitRow], today: date) -> tuple[int, int]:
    """Overdue visits by unit and the number due within DUE_SOON_DAYS days, from the cases
    app's own schedule (one query)."""
    rows = schedule_for(Child.objects.filter(_in(division, "division_id")), today=today)
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


def _changes(division: Division, month: Period, half: HalfYear) -> list[ChangeRow]:
    """Approvals and endings this month and this half-year, by category (one query)."""
    since = min(month.start, half.start)
    counts = {
        row["category"]: row
        for row in CategoryAssignment.objects.filter(_in(division, "child__division_id"))
        .filter(
            Q(approved_at__gte=Period(since, since).start_at)
            | Q(status=CategoryStatus.ENDED, effective_to__gte=since)
        )
        .order_by()
        .values("category")
        .annotate(
            approved_month=Count("pk", filter=_approved_in(month)),
            ended_month=Count("pk", filter=_ended_in(month)),
            approved_half=Count("pk", filter=_approved_in(half)),
            ended_half=Count("pk", filter=_ended_in(half)),
        )
    }
    rows = []
    for c in CATEGORIES:
        got = counts.get(c.value, {})
        rows.append(
            ChangeRow(
                c.value,
                str(c.label),
                got.get("approved_month", 0),
                got.get("ended_month", 0),
                got.get("approved_half", 0),
                got.get("ended_half", 0),
            )
        )
    return rows


def _leads_waiting(division: Division) -> list[tuple[str, str, int]]:
    counts = dict(
        Lead.objects.filter(_in(division, "division_id"), status__in=WAITING)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [(s.value, str(s.label), counts.get(s.value, 0)) for s in WAITING]


def _cases_by_risk(division: Division) -> list[tuple[str, str, int]]:
    counts = dict(
        Case.objects.filter(_in(division, "child__division_id"))
        .exclude(status=CaseStatus.CLOSED)
        .order_by()
        .values_list("risk")
        .annotate(n=Count("pk"))
    )
    rows = [(r.value, str(r.label), counts.get(r.value, 0)) for r in Risk]
    rows.append(("", _("未评估"), counts.get("", 0)))
    return rows


def _payments(division: Division, today: date) -> list[PaymentMonth]:
    """按时足额 of the latest months, with the benefits app's own SQL (one query a month)."""
    children = Child.objects.filter(_in(division, "division_id")).values("pk")
    try:
        visible_sql, visible_params = children.query.sql_with_params()
    except EmptyResultSet:
        return []
    programmes = {p.code: p for p in Programme.objects.all()}
    out = []
    for month in last_months(today, PAYMENT_MONTHS):
        cutoff_sql, cutoff_params = benefits._cutoffs(programmes, month)
        sql = benefits.PAIRS_SQL.format(visible=visible_sql, cutoff=cutoff_sql)
        m = benefits._adapt_date(month)
        params = [m, *visible_params, *cutoff_params, m, m, m, benefits._adapt_date(today)]
        entitled = on_time_in_full = 0
        with connection.cursor() as cursor:
            cursor.execute(sql + benefits.FIGURES_SQL, params)
            for _code, _name, n, _on_time, _in_full, both, _arrears in cursor.fetchall():
                entitled += int(n or 0)
                on_time_in_full += int(both or 0)
        out.append(PaymentMonth(month, entitled, on_time_in_full))
    return out


def _community_to_date(
    division: Division, month: Period, half: HalfYear, today: date
) -> dict[str, int]:
    """Activities and trainings held (up to today) this month and half-year; partners linked
    this half-year (three queries)."""
    held = Q(held_on__lte=today)
    acts = Activity.objects.filter(_in(division, "station__division_id"), held).aggregate(
        activities_month=Count("pk", filter=Q(held_on__gte=month.start)),
        activities_half=Count("pk", filter=Q(held_on__gte=half.start)),
    )
    trainings = Training.objects.filter(_in(division, "division_id"), held).aggregate(
        trainings_month=Count("pk", filter=Q(held_on__gte=month.start)),
        trainings_half=Count("pk", filter=Q(held_on__gte=half.start)),
    )
    period = Period(half.start, min(half.end, today))
    return {**acts, **trainings, "partners_half": _partners_linked(division, period)}


def _activities_held(division: Division, period: Period):
    return Activity.objects.filter(
        _in(division, "station__division_id"),
        held_on__gte=period.start,
        held_on__lte=period.end,
    )


def _allocations_received(division: Division, period: Period):
    return Allocation.objects.filter(
        _in(division, "child__division_id"),
        status=AllocationStatus.CONFIRMED,
        received_on__gte=period.start,
        received_on__lte=period.end,
    )


def _partners_linked(division: Division, period: Period) -> int:
    """Organisations that took part in an activity held in the division in the period or gave a
    resource a child of the division received in it (one query)."""
    from huhang.accounts.models import Organisation

    activities = _activities_held(division, period).values("pk")
    resources = _allocations_received(division, period).values("resource_id")
    return (
        Organisation.objects.filter(Q(activities__in=activities) | Q(resources__in=resources))
        .values("pk")
        .distinct()
        .count()
    )


def _dashboard_charts(board: Dashboard) -> dict[str, str]:
    labels = board.category_labels
    return {
        "categories": charts.stacked_bar_chart(
            [(u.name, u.category_counts) for u in board.units],
            series=labels,
            title=_("各%(unit)s在册保障儿童（按类别）") % {"unit": board.unit_label},
            unit=_("人"),
        ),
        "cases": charts.bar_chart(
            [(label, n) for _r, label, n in board.cases],
            title=_("在办个案（按风险等级）"),
            unit=_("件"),
        ),
        "payments": charts.line_chart(
            [(f"{p.month:%Y-%m}", p.share) for p in board.payments],
            title=_("按时足额发放率"),
            unit="%",
            top=100,
        ),
    }


# --- The half-year report -------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    value: int | Decimal
    unit: str


@dataclass
class Report:
    division: Division
    period: HalfYear
    unit_label: str
    figures: list[Figure]
    tables: list[Table]

    def figure(self, key: str):
        return next(f.value for f in self.figures if f.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def title(self) -> str:
        return _("%(division)s%(period)s未成年人保护工作报告") % {
            "division": self.division.name,
            "period": self.period.label,
        }


def half_year_report(*, user, division: Division, period: HalfYear, export: str = "") -> Report:
    """The half-year report of a division (already checked by core.scope). Records one event:
    a view, or an export in the named format."""
    units = units_of(division)
    categories = _category_table(division, period, units)
    leads = _lead_table(division, period)
    services, served = _service_table(division, period)
    payments = _payment_table(division, period)
    community, community_figures = _community_table(division, period)
    funded = _scholarship_children(division, period)
    by_cat = {row[0]: row for row in categories[0].rows}
    dfuc, orphan, migrant = (
        by_cat[str(Category.DFUC.label)],
        by_cat[str(Category.ORPHAN.label)],
        by_cat[str(Category.MIGRANT.label)],
    )
    lead_by_kind = {row[0]: row for row in leads.rows}
    figures = [
        Figure("new_dfuc", _("新认定事实无人抚养儿童"), dfuc[1], _("人")),
        Figure("new_orphans", _("新认定孤儿"), orphan[1], _("人")),
        Figure(
            "migrant_found",
            _("排查发现流动儿童"),
            lead_by_kind.get(str(LeadKind.MIGRANT.label), [0, 0])[1],
            _("人"),
        ),
        Figure("migrant_archived", _("流动儿童建档（认定）"), migrant[1], _("人")),
        Figure("students_funded", _("资助孤儿学生（福彩圆梦）"), funded, _("人")),
        Figure("activities", _("开展活动"), community_figures["activities"], _("场")),
        Figure("children_reached", _("活动服务儿童"), community_figures["reached"], _("人")),
        Figure("trainings", _("开展培训"), community_figures["trainings"], _("场")),
        Figure("people_trained", _("培训人员"), community_figures["trained"], _("人")),
        Figure("partners", _("链接社会组织和爱心单位"), community_figures["partners"], _("家")),
        Figure("served_children", _("购买服务覆盖儿童"), served["children"], _("人")),
        Figure("service_hours", _("购买服务时长"), served["hours"], _("小时")),
        Figure("orphans_end", _("期末在册孤儿"), orphan[3], _("人")),
        Figure("dfuc_end", _("期末在册事实无人抚养儿童"), dfuc[3], _("人")),
        Figure("paid", _("发放保障资金"), fen_to_decimal(payments.total[3]), _("元")),
    ]
    summary = Table(
        "summary",
        _("主要指标"),
        [Column(_("指标"), TEXT), Column(_("数值"), NUMBER), Column(_("单位"), TEXT)],
    )
    report = Report(
        division=division,
        period=period,
        unit_label=unit_level_label(division),
        figures=figures,
        tables=[summary, *categories, leads, services, payments, community],
    )
    for f in figures:
        summary.rows.append([f.label, f.value, f.unit])
    audit_record(
        by=user,
        action=AuditAction.EXPORT if export else AuditAction.VIEW,
        object_type="half_year_report",
        object_id=f"{division.code}:{period.key}",
        label="半年工作报告",  # stored as data
        detail={
            "division": division.code,
            "period": period.key,
            **({"format": export} if export else {}),
        },
    )
    return report


def _category_table(division: Division, period: HalfYear, units: list[Unit]) -> list[Table]:
    """By category: approved in the half-year, ended in it, in force at its end; and the same
    by street or community (one query grouped by community and category)."""
    end = _in_force_after(period.end)
    rows = (
        CategoryAssignment.objects.filter(_in(division, "child__division_id"))
        .filter(_approved_in(period) | _ended_in(period) | end)
        .order_by()
        .values_list("child__division_id", "category")
        .annotate(
            new=Count("pk", filter=_approved_in(period)),
            ended=Count("pk", filter=_ended_in(period)),
            at_end=Count("pk", filter=end),
        )
    )
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_unit: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for code, category, new, ended, at_end in rows:
        for target in (by_category[category], by_unit[unit_key(division, code)][category]):
            target[0] += new
            target[1] += ended
            target[2] += at_end
    table = Table(
        "categories",
        _("类别认定"),
        [
            Column(_("类别"), TEXT),
            Column(_("本期新认定")),
            Column(_("本期终止")),
            Column(_("期末在册")),
        ],
    )
    for c in CATEGORIES:
        table.rows.append([str(c.label), *by_category[c.value]])
    table.total = [_("合计"), *(sum(r[i] for r in table.rows) for i in (1, 2, 3))]
    watched = (Category.ORPHAN, Category.DFUC, Category.MIGRANT)
    per_unit = Table(
        "units",
        _("分区域"),
        [
            Column(unit_level_label(division), TEXT),
            Column(_("新认定孤儿")),
            Column(_("新认定事实无人抚养")),
            Column(_("流动儿童建档")),
            Column(_("期末孤儿")),
            Column(_("期末事实无人抚养")),
        ],
    )
    names = {u.code: u.name for u in units}
    for code in sorted(set(names) | set(by_unit)):
        counts = by_unit.get(code, {})
        new = [counts.get(c.value, [0, 0, 0])[0] for c in watched]
        at_end = [counts.get(c.value, [0, 0, 0])[2] for c in watched[:2]]
        per_unit.rows.append([names.get(code, code), *new, *at_end])
    per_unit.total = [_("合计"), *(sum(r[i] for r in per_unit.rows) for i in range(1, 6))]
    return [table, per_unit]


def _lead_table(division: Division, period: HalfYear) -> Table:
    """Leads raised in the half-year by kind and where they stand now (one query)."""
    raised = Q(raised_at__gte=period.start_at, raised_at__lt=period.end_before)
    counts = {
        kind: row
        for kind, *row in Lead.objects.filter(_in(division, "division_id"), raised)
        .order_by()
        .values_list("kind")
        .annotate(
            n=Count("pk"),
            approved=Count("pk", filter=Q(status=LeadStatus.APPROVED)),
            rejected=Count("pk", filter=Q(status=LeadStatus.REJECTED)),
            waiting=Count("pk", filter=Q(status__in=WAITING)),
        )
    }
    table = Table(
        "leads",
        _("排查线索"),
        [
            Column(_("线索类型"), TEXT),
            Column(_("本期发现")),
            Column(_("已批准")),
            Column(_("已退回")),
            Column(_("办理中")),
        ],
    )
    for kind in LeadKind:
        row = counts.get(kind.value)
        table.rows.append([str(kind.label), *(row or [0, 0, 0, 0])])
    table.total = [_("合计"), *(sum(r[i] for r in table.rows) for i in range(1, 5))]
    return table


def _service_table(division: Division, period: HalfYear) -> tuple[Table, dict]:
    """Purchased services delivered in the half-year, by project: distinct children, services,
    hours (two queries: per project, and distinct children over all projects)."""
    records = ServiceRecord.objects.filter(
        _in(division, "case__child__division_id"),
        project__isnull=False,
        delivered_on__gte=period.start,
        delivered_on__lte=period.end,
    )
    rows = (
        records.order_by()
        .values_list("project__name")
        .annotate(
            children=Count("case__child_id", distinct=True),
            n=Count("pk"),
            minutes=Sum("minutes"),
        )
        .order_by("project__name")
    )
    total = records.aggregate(
        children=Count("case__child_id", distinct=True), n=Count("pk"), minutes=Sum("minutes")
    )
    table = Table(
        "services",
        _("购买服务"),
        [
            Column(_("项目"), TEXT),
            Column(_("服务儿童")),
            Column(_("服务次数")),
            Column(_("服务时长（小时）"), DECIMAL),
        ],
        note=_("服务儿童按人计，同一儿童接受多个项目服务时合计栏只计一次。"),
    )
    for name, children, n, minutes in rows:
        table.rows.append([name, children, n, _hours(minutes)])
    hours = _hours(total["minutes"])
    table.total = [_("合计"), total["children"], total["n"], hours]
    return table, {"children": total["children"], "hours": hours}


def _hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


def _payment_table(division: Division, period: HalfYear) -> Table:
    """Allowances paid for the months of the half-year (non-failed lines of exported runs), by
    programme (one query)."""
    rows = (
        PayrollLine.objects.filter(
            _in(division, "child__division_id"),
            for_month__gte=period.start,
            for_month__lte=period.end,
            run__exported_at__isnull=False,
        )
        .exclude(status=LineStatus.FAILED)
        .order_by()
        .values_list("programme_id", "programme__name")
        .annotate(children=Count("child_id", distinct=True), n=Count("pk"), fen=Sum("amount_fen"))
        .order_by("programme_id")
    )
    table = Table(
        "payments",
        _("保障资金发放"),
        [
            Column(_("保障项目"), TEXT),
            Column(_("发放人数")),
            Column(_("发放笔数")),
            Column(_("发放金额（元）"), FEN),
        ],
        note=_("所属月份在本期内、已导出且未被银行退回的发放。"),
    )
    for _code, name, children, n, fen in rows:
        table.rows.append([name, children, n, int(fen or 0)])
    table.total = [_("合计"), None, sum(r[2] for r in table.rows), sum(r[3] for r in table.rows)]
    return table


def _scholarship_children(division: Division, period: HalfYear) -> int:
    """Students on the 福彩圆梦 list during the half-year (an entitlement overlapping it)."""
    from huhang.benefits.models import Entitlement

    return (
        Entitlement.objects.filter(
            _in(division, "child__division_id"),
            programme_id=SCHOLARSHIP,
            starts_on__lte=period.end,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
        .values("child_id")
        .distinct()
        .count()
    )


def _community_table(division: Division, period: HalfYear) -> tuple[Table, dict]:
    """Activities, trainings, charity resources and partners of the half-year (four queries)."""
    activities = _activities_held(division, period)
    acts = activities.aggregate(n=Count("pk"))
    reached = Enrolment.objects.filter(
        activity__in=activities.values("pk"), attended=True
    ).aggregate(children=Count("child_id", distinct=True), times=Count("pk"))
    trainings = Training.objects.filter(
        _in(division, "division_id"), held_on__gte=period.start, held_on__lte=period.end
    )
    trained = trainings.aggregate(
        n=Count("pk", distinct=True),
        people=Count("attendance__user_id", distinct=True),
        times=Count("attendance"),
    )
    gifts = _allocations_received(division, period).aggregate(
        children=Count("child_id", distinct=True), fen=Sum("amount_fen")
    )
    partners = _partners_linked(division, period)
    table = Table(
        "community",
        _("关爱服务"),
        [Column(_("项目"), TEXT), Column(_("数量")), Column(_("人数")), Column(_("人次"))],
    )
    table.rows = [
        [_("开展活动（场）/ 出席儿童"), acts["n"], reached["children"], reached["times"]],
        [_("开展培训（场）/ 参训人员"), trained["n"], trained["people"], trained["times"]],
        [_("慈善资源受助儿童"), None, gifts["children"], None],
        [_("链接社会组织和爱心单位（家）"), partners, None, None],
    ]
    figures = {
        "activities": acts["n"],
        "reached": reached["children"],
        "trainings": trained["n"],
        "trained": trained["people"],
        "partners": partners,
    }
    return table, figures
