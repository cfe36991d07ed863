"""按时足额 (on time and in full): for one month, which entitled children were paid by the
programme's due day and in full, per street, and the arrears with their reasons; and the same
figures over several months for the dashboards of other apps (`payment_shares`, re-exported by
benefits.selectors). Set-based SQL, the same on SQLite and PostgreSQL, over the children whose
figures the user may see (core.scope, purpose "figures")."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huhang.benefits.models import Frequency, Programme, RunStatus
from huhang.core import crypto, facts, scope
from huhang.core.audit import audit_search
from huhang.core.dates import month_start
from huhang.core.masking import shown_id
from huhang.core.money import yuan
from huhang.regions.models import Division, Level
from huhang.regions.selectors import DivisionFigures
from huhang.registry.models import Child

if TYPE_CHECKING:
    from huhang.accounts.models import User

# The due day of a month is a day in Beijing time, whatever the server's zone.
SHANGHAI = ZoneInfo("Asia/Shanghai")


def percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{share}%"


def due_date(programme: Programme, month: date) -> date:
    """The programme's due day in that month (a due day past the month's end is its last day)."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(programme.due_day or last, last))


def due_cutoff(programme: Programme, month: date) -> datetime:
    """Exported before this instant = exported on or before the due day, Beijing time."""
    day = due_date(programme, month) + timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


# The entitled pairs (child, programme) of one month, with what non-failed lines of exported runs
# paid for it, what bank-confirmed lines of runs exported by the due day paid, the latest failed
# line, a line still in a run not yet exported, the suspension covering the month and whether a
# payee is in force. Set-based: one statement whatever the number of children; the same SQL on
# SQLite and PostgreSQL. A child is owed a month as compute.COMPUTE_SQL decides: an entitlement
# covering the month (only September for a yearly programme) with a standard in force.
PAIRS_SQL = """
WITH std AS (
    SELECT s.programme_id, s.amount_fen, s.effective_from,
           LEAD(s.effective_from) OVER (PARTITION BY s.programme_id ORDER BY s.effective_from)
             AS next_from
    FROM benefits_standard s
    WHERE NOT EXISTS (  -- a later revision of the same month supersedes this one
        SELECT 1 FROM benefits_standard r
        WHERE r.programme_id = s.programme_id AND r.effective_from = s.effective_from
          AND r.revision > s.revision)
),
due AS (
    SELECT e.child_id, e.programme_id, MIN(e.id) AS entitlement_id,
           MIN(std.amount_fen) AS standard_fen
    FROM benefits_entitlement e
    JOIN benefits_programme p ON p.code = e.programme_id
    JOIN benefits_calendar cal ON cal.month = %s
    JOIN std ON std.programme_id = e.programme_id AND std.effective_from <= cal.month
            AND (std.next_from IS NULL OR cal.month < std.next_from)
    WHERE e.starts_on <= cal.month AND (e.ends_on IS NULL OR e.ends_on >= cal.month)
      AND (p.frequency <> 'yearly' OR cal.school_year_start)
      AND e.child_id IN ({visible})
    GROUP BY e.child_id, e.programme_id
),
got AS (
    SELECT l.child_id, l.programme_id,
           SUM(CASE WHEN l.status <> 'failed' AND r.exported_at IS NOT NULL
                    THEN l.amount_fen ELSE 0 END) AS paid_fen,
           SUM(CASE WHEN l.status = 'paid' AND r.exported_at < ({cutoff})
                    THEN l.amount_fen ELSE 0 END) AS on_time_fen,
           MAX(CASE WHEN l.status = 'failed' THEN l.id END) AS failed_line,
           MAX(CASE WHEN r.exported_at IS NULL THEN r.id END) AS open_run
    FROM benefits_payrollline l
    JOIN benefits_payrollrun r ON r.id = l.run_id
    JOIN due ON due.child_id = l.child_id AND due.programme_id = l.programme_id
    WHERE l.for_month = %s
    GROUP BY l.child_id, l.programme_id
),
pair AS (
    SELECT due.child_id, due.programme_id, due.standard_fen,
           COALESCE(got.paid_fen, 0) AS paid_fen,
           COALESCE(got.on_time_fen, 0) AS on_time_fen,
           got.failed_line, got.open_run,
           (SELECT su.reason FROM benefits_suspension su
             WHERE su.entitlement_id = due.entitlement_id AND su.from_month <= %s
               AND (su.to_month IS NULL OR su.to_month >= %s)
             ORDER BY su.from_month DESC LIMIT 1) AS suspended,
           COALESCE((SELECT CASE WHEN py.confirmed_at IS NULL THEN 2 ELSE 1 END
                       FROM benefits_payee py
                      WHERE py.child_id = due.child_id AND py.valid_from <= %s
                      ORDER BY py.valid_from DESC, py.id DESC LIMIT 1), 0) AS has_payee
    FROM due
    LEFT JOIN got ON got.child_id = due.child_id AND got.programme_id = due.programme_id
)
"""

# Per street: children owed the month, paid something by the due day, paid in full (by now),
# paid in full by the due day; a child with two programmes that month counts once, and only if
# both are paid. `arrears` counts the pairs (child, programme) not paid in full.
FIGURES_SQL = """
, per_child AS (
    SELECT child_id,
           MIN(CASE WHEN on_time_fen > 0 THEN 1 ELSE 0 END) AS on_time,
           MIN(CASE WHEN paid_fen >= standard_fen THEN 1 ELSE 0 END) AS in_full,
           MIN(CASE WHEN on_time_fen >= standard_fen THEN 1 ELSE 0 END) AS on_time_in_full,
           SUM(CASE WHEN paid_fen < standard_fen THEN 1 ELSE 0 END) AS arrears
    FROM pair GROUP BY child_id
)
SELECT d.parent_id, st.name, COUNT(*), SUM(pc.on_time), SUM(pc.in_full),
       SUM(pc.on_time_in_full), SUM(pc.arrears)
FROM per_child pc
JOIN registry_child c ON c.id = pc.child_id
JOIN regions_division d ON d.code = c.division_id
LEFT JOIN regions_division st ON st.code = d.parent_id
GROUP BY d.parent_id, st.name
ORDER BY d.parent_id
"""

ARREARS_SQL = """
SELECT pair.child_id, per.name, per.id_number, d.name, st.name, pair.programme_id,
       pair.standard_fen, pair.paid_fen, pair.suspended, pair.has_payee, pair.open_run,
       (SELECT r.status FROM benefits_payrollrun r WHERE r.id = pair.open_run),
       (SELECT l.failure_reason FROM benefits_payrollline l WHERE l.id = pair.failed_line)
FROM pair
JOIN registry_child c ON c.id = pair.child_id
JOIN registry_person per ON per.id = c.person_id
JOIN regions_division d ON d.code = c.division_id
LEFT JOIN regions_division st ON st.code = d.parent_id
WHERE pair.paid_fen < pair.standard_fen {street}
ORDER BY d.parent_id, c.division_id, c.search_name, c.id, pair.programme_id
LIMIT %s OFFSET %s
"""


@dataclass
class StreetFigures(DivisionFigures):
    entitled: int = 0
    on_time: int = 0
    in_full: int = 0
    on_time_in_full: int = 0
    arrears: int = 0

    @property
    def on_time_pct(self) -> str:
        return percent(self.on_time, self.entitled)

    @property
    def in_full_pct(self) -> str:
        return percent(self.in_full, self.entitled)

    @property
    def on_time_in_full_pct(self) -> str:
        return percent(self.on_time_in_full, self.entitled)

    @property
    def bar(self) -> int:
        """Width (0–100) of the 按时足额 bar drawn as SVG."""
        return (self.on_time_in_full * 100 // self.entitled) if self.entitled else 0


# Why a child is owed money for the month, checked in this order.
REASONS = {
    "suspended": gettext_lazy("停发"),
    "in_run": gettext_lazy("批次未导出"),
    "bank_failure": gettext_lazy("银行退票"),
    "no_payee": gettext_lazy("无收款人"),
    "payee_unconfirmed": gettext_lazy("收款账号待确认"),
    "shortfall": gettext_lazy("差额待补发"),
    "not_run": gettext_lazy("尚未发放"),
}


@dataclass
class ArrearsRow:
    child_id: int
    name: str
    id_masked: str
    community: str
    street: str
    programme: str
    standard_fen: int
    paid_fen: int
    reason: str
    detail: str

    @property
    def owed_yuan(self) -> str:
        return yuan(self.standard_fen - self.paid_fen)

    @property
    def standard_yuan(self) -> str:
        return yuan(self.standard_fen)

    @property
    def paid_yuan(self) -> str:
        return yuan(self.paid_fen)

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


def arrears_reason(
    *,
    suspended: str | None,
    has_payee: int,
    open_run: int | None,
    open_status: str | None,
    failure: str | None,
    paid_fen: int,
    owed_fen: int,
) -> tuple[str, str]:
    """(reason code, detail) for an entitled month not paid in full."""
    if suspended:
        return "suspended", suspended
    if open_run:
        label = RunStatus(open_status).label if open_status in RunStatus.values else ""
        return "in_run", _("批次 #%(run)s（%(status)s）") % {"run": open_run, "status": label}
    if failure:
        return "bank_failure", failure
    if not has_payee:
        return "no_payee", _("请登记收款人及银行账号")
    if has_payee == 2:
        return "payee_unconfirmed", _("新登记或变更的收款账号须由另一名工作人员确认后才能发放")
    if paid_fen > 0:
        return "shortfall", _("差额 %(owed)s 元（标准调整后待补发）") % {"owed": yuan(owed_fen)}
    return "not_run", _("本月发放批次尚未计算或导出")


class ArrearsList:
    """The arrears of a month as a sliceable sequence for django.core.paginator: the count comes
    from the figures, each page is one query."""

    def __init__(
        self,
        *,
        sql: str,
        params: list[Any],
        count: int,
        programmes: dict[str, Programme],
        user: User,
    ) -> None:
        self.sql, self.params, self._count, self.programmes = sql, params, count, programmes
        self.user = user

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: slice) -> list[ArrearsRow]:
        if not isinstance(index, slice):
            raise TypeError("ArrearsList supports slices only")
        start, stop = index.start or 0, index.stop if index.stop is not None else self._count
        if stop <= start:
            return []
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [*self.params, stop - start, start])
            return [self._row(r) for r in cursor.fetchall()]

    def _row(self, r: Sequence[Any]) -> ArrearsRow:
        (child_id, name, id_number, community, street, programme, standard, paid) = r[:8]
        suspended, has_payee, open_run, open_status, failure = r[8:]
        standard, paid = int(standard), int(paid)
        reason, detail = arrears_reason(
            suspended=suspended,
            has_payee=has_payee,
            open_run=open_run,
            open_status=open_status,
            failure=failure,
            paid_fen=paid,
            owed_fen=standard - paid,
        )
        return ArrearsRow(
            child_id=child_id,
            name=name,
            # Raw SQL reads the encrypted column (core.crypto): decrypted for the mask.
            id_masked=shown_id(self.user, crypto.decrypt_id(id_number) if id_number else "") or "—",
            community=community,
            street=street or "",
            programme=self.programmes[programme].name if programme in self.programmes else "",
            standard_fen=standard,
            paid_fen=paid,
            reason=reason,
            detail=detail,
        )


@dataclass
class Dashboard:
    month: date
    streets: list[StreetFigures] = field(default_factory=list)
    total: StreetFigures = field(default_factory=lambda: StreetFigures("", ""))
    arrears: ArrearsList | list[ArrearsRow] = field(default_factory=list)
    due_days: list[tuple[str, date]] = field(default_factory=list)
    # True while no programme's due day of the month has passed (the current month up to its
    # due day, or a later month): nothing can be late yet, so the page shows no share and calls
    # the unpaid rows "still to pay", not arrears.
    not_yet_due: bool = False


def _adapt_date(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def streets(*, user: User) -> QuerySet[Division]:
    """The streets (and towns) of the user's scope, for the page's filter."""
    return scope.visible(user, Division).filter(level=Level.STREET).order_by("code")


def dashboard(*, user: User, month: date, street: str = "", today: date | None = None) -> Dashboard:
    """按时足额 for one month: figures per street of the children the user sees and the arrears
    with their reasons. A fixed number of queries: programmes, figures, one page of arrears (when
    the caller slices it), one audit event."""
    today = today or timezone.localdate()
    month = month_start(month)
    programmes = {p.code: p for p in Programme.objects.all()}
    board = Dashboard(
        month=month,
        due_days=[(p.name, due_date(p, month)) for p in programmes.values() if _due_in(p, month)],
    )
    board.not_yet_due = bool(board.due_days) and all(day >= today for _n, day in board.due_days)
    audit_search(
        by=user,
        object_type="benefits_dashboard",
        label="按时足额",
        month=f"{month:%Y-%m}",
        street=street,
    )
    children = scope.visible(user, Child, "figures")
    try:
        visible_sql, visible_params = children.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return board
    base, params = _pairs_query(visible_sql, list(visible_params), programmes, month, today)
    with connection.cursor() as cursor:
        cursor.execute(base + FIGURES_SQL, params)
        for code, name, *numbers in cursor.fetchall():
            row = StreetFigures(code or "", name or "", *(int(n or 0) for n in numbers))
            board.streets.append(row)
            board.total.add(row)
    street_sql, street_params = "", []
    count = board.total.arrears
    if street:
        street_sql, street_params = "AND d.parent_id = %s", [street]
        count = sum(s.arrears for s in board.streets if s.code == street)
    board.arrears = ArrearsList(
        sql=base + ARREARS_SQL.format(street=street_sql),
        params=[*params, *street_params],
        count=count,
        programmes=programmes,
        user=user,
    )
    return board


def _due_in(programme: Programme, month: date) -> bool:
    """Whether the programme can owe anything that month (a yearly one only in September)."""
    return programme.frequency != Frequency.YEARLY or month.month == facts.SCHOOL_YEAR_START_MONTH


def _pairs_query(
    visible_sql: str,
    visible_params: list,
    programmes: dict[str, Programme],
    month: date,
    today: date,
) -> tuple[str, list]:
    """PAIRS_SQL (each entitled child and programme of the month, with what was paid when) for
    the children that `visible_sql` selects, and its parameters in order."""
    cutoff_sql, cutoff_params = _cutoffs(programmes, month)
    m = _adapt_date(month)
    params = [m, *visible_params, *cutoff_params, m, m, m, _adapt_date(today)]
    return PAIRS_SQL.format(visible=visible_sql, cutoff=cutoff_sql), params


@dataclass(frozen=True)
class MonthShare:
    """How many children were entitled in a month and how many were paid on time and in full."""

    month: date
    entitled: int
    on_time_in_full: int


def payment_shares(
    *, children: QuerySet[Child], months: Iterable[date], today: date
) -> list[MonthShare]:
    """按时足额 of `children` (a queryset the caller has scoped) in each of `months`: the figures
    the dashboards of other apps show. One query a month."""
    try:
        subtree_sql, visible_params = children.values(vid=F("pk")).query.sql_with_params()
    except EmptyResultSet:
        return []
    # PAIRS_SQL reads `e.child_id IN ({visible})` (e = the entitlements). Correlated on e, the
    # check is one primary-key lookup per entitlement; uncorrelated, SQLite would first list
    # every child of a district's subtree (130,000) for each month.
    visible_sql = f"SELECT v.vid FROM ({subtree_sql}) v WHERE v.vid = e.child_id"
    programmes = {p.code: p for p in Programme.objects.all()}
    out = []
    for month in months:
        sql, params = _pairs_query(visible_sql, list(visible_params), programmes, month, today)
        entitled = on_time_in_full = 0
        with connection.cursor() as cursor:
            cursor.execute(sql + FIGURES_SQL, params)
            for _code, _name, n, _on_time, _in_full, both, _arrears in cursor.fetchall():
                entitled += int(n or 0)
                on_time_in_full += int(both or 0)
        out.append(MonthShare(month, entitled, on_time_in_full))
    return out


def _cutoffs(programmes: dict[str, Programme], month: date) -> tuple[str, list]:
    if not programmes:
        return "NULL", []
    ops = connection.ops
    parts, params = [], []
    for code, programme in programmes.items():
        parts.append("WHEN %s THEN %s")
        params += [code, ops.adapt_datetimefield_value(due_cutoff(programme, month))]
    return "CASE l.programme_id " + " ".join(parts) + " END", params
