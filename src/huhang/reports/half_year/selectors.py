"""The half-year report (半年工作报告) of a division: the figures the district's own report quotes,
as tables shared by the page and the workbook. A fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from huhang.accounts.models import User
from huhang.benefits.models import Entitlement, LineStatus, PayrollLine
from huhang.cases.models import ServiceRecord
from huhang.community.models import Enrolment, Training
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.regions.models import Division
from huhang.registry.models import Category, CategoryAssignment
from huhang.reports.periods import HalfYear
from huhang.reports.selectors import (
    CATEGORIES,
    WAITING,
    Unit,
    activities_held,
    allocations_received,
    approved_in,
    child_in,
    ended_in,
    in_force_after,
    note_coverage,
    partners_linked,
    unit_key,
    unit_level_label,
    units_of,
    within,
)
from huhang.reports.tables import DECIMAL, FEN, NUMBER, TEXT, Column, Table, fen_to_decimal
from huhang.screening.models import Lead, LeadKind, LeadStatus

SCHOLARSHIP = "scholarship"


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

    def figure(self, key: str) -> int | Decimal:
        return next(f.value for f in self.figures if f.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def title(self) -> str:
        return _("%(division)s%(period)s未成年人保护工作报告") % {
            "division": self.division.name,
            "period": self.period.label,
        }


def half_year_report(
    *, user: User, division: Division, period: HalfYear, export: str = ""
) -> Report:
    """The half-year report of a division (already checked by core.scope). Records one event:
    a view, or an export in the named format."""
    note_coverage(division)
    units = units_of(division)
    categories = _category_table(division, period, units)
    leads = _lead_table(division, period)
    services, served = _service_table(division, period)
    payments = _payment_table(division, period)
    community, community_figures = _community_table(division, period)
    funded = _scholarship_children(division, period)
    dfuc, orphan, migrant = (categories[0].row(c) for c in ("dfuc", "orphan", "migrant"))
    paid_fen = payments.total[3] if payments.total else 0
    figures = [
        Figure("new_dfuc", _("新认定事实无人抚养儿童"), dfuc[1], _("人")),
        Figure("new_orphans", _("新认定孤儿"), orphan[1], _("人")),
        Figure(
            "migrant_found",
            _("排查发现流动儿童"),
            leads.row(LeadKind.MIGRANT)[1],
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
        Figure("paid", _("发放保障资金"), fen_to_decimal(paid_fen), _("元")),
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
    """By category: approved in the half-year, ended in it, in force at its end (one query over
    the assignments); and by street or community the figures the table shows for orphans, DFUC
    and migrant children (one query over those rows only, grouped by community)."""
    end = in_force_after(period.end)
    assignments = CategoryAssignment.objects.filter(child_in(division)).order_by()
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for category, *counts in (
        assignments.filter(approved_in(period) | ended_in(period) | end)
        .values_list("category")
        .annotate(
            new=Count("pk", filter=approved_in(period)),
            ended=Count("pk", filter=ended_in(period)),
            at_end=Count("pk", filter=end),
        )
    ):
        by_category[category] = counts
    watched = (Category.ORPHAN, Category.DFUC, Category.MIGRANT)
    by_unit: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for code, category, new, at_end in (
        assignments.filter(
            Q(category__in=watched[:2]) & (approved_in(period) | end)
            | Q(category=Category.MIGRANT) & approved_in(period)
        )
        .values_list("child__division_id", "category")
        .annotate(new=Count("pk", filter=approved_in(period)), at_end=Count("pk", filter=end))
    ):
        target = by_unit[unit_key(division, code)][category]
        target[0] += new
        target[1] += at_end
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
        table.keys.append(c.value)
    table.add_total()
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
        in_unit = by_unit.get(code, {})
        new = [in_unit.get(c.value, [0, 0])[0] for c in watched]
        at_end = [in_unit.get(c.value, [0, 0])[1] for c in watched[:2]]
        per_unit.rows.append([names.get(code, code), *new, *at_end])
    per_unit.add_total()
    return [table, per_unit]


def _lead_table(division: Division, period: HalfYear) -> Table:
    """Leads raised in the half-year by kind and where they stand now (one query)."""
    raised = Q(raised_at__gte=period.start_at, raised_at__lt=period.end_before)
    counts = {
        kind: row
        for kind, *row in Lead.objects.filter(within(division, "division_id"), raised)
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
        table.keys.append(kind.value)
    table.add_total()
    return table


def _service_table(division: Division, period: HalfYear) -> tuple[Table, dict]:
    """Purchased services delivered in the half-year, by project: distinct children, services,
    hours (two queries: per project, and distinct children over all projects)."""
    records = ServiceRecord.objects.filter(
        child_in(division, "case__child"),
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
            Column(_("服务项目"), TEXT),
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
            child_in(division),
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
    table.add_total(blank=(1,))
    return table


def _scholarship_children(division: Division, period: HalfYear) -> int:
    """Students on the 福彩圆梦 list during the half-year (an entitlement overlapping it)."""
    return (
        Entitlement.objects.filter(
            child_in(division),
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
    activities = activities_held(division, period)
    acts = activities.aggregate(n=Count("pk"))
    reached = Enrolment.objects.filter(
        activity__in=activities.values("pk"), attended=True
    ).aggregate(children=Count("child_id", distinct=True), times=Count("pk"))
    trainings = Training.objects.filter(
        within(division, "division_id"), held_on__gte=period.start, held_on__lte=period.end
    )
    trained = trainings.aggregate(
        n=Count("pk", distinct=True),
        people=Count("attendance__user_id", distinct=True),
        times=Count("attendance"),
    )
    gifts = allocations_received(division, period).aggregate(
        children=Count("child_id", distinct=True), fen=Sum("amount_fen")
    )
    partners = partners_linked(division, period)
    table = Table(
        "community",
        _("关爱服务"),
        [Column(_("指标"), TEXT), Column(_("数量")), Column(_("人数")), Column(_("人次"))],
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
