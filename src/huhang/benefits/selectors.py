"""Every read of the guarantee funds' standing data for the pages: programmes and standards,
payees, entitlements, and a child's payment history. Each list of children's data starts from
core.scope (the children whose figures the user may see) and records what it showed; money
leaves here as yuan strings formatted from integer fen, never through a float. Payroll runs are
read in benefits.payroll.selectors, the student lists in benefits.students.selectors, 按时足额 in
benefits.dashboard.selectors (whose figures for other apps are re-exported here)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

# The 按时足额 figures other apps' dashboards show (reports), public here as well.
from huhang.benefits.dashboard.selectors import MonthShare as MonthShare
from huhang.benefits.dashboard.selectors import payment_shares as payment_shares
from huhang.benefits.dashboard.selectors import percent as percent
from huhang.benefits.models import (
    Entitlement,
    LineStatus,
    Payee,
    PayrollLine,
    Programme,
    Standard,
    Suspension,
)
from huhang.core import crypto, scope
from huhang.core.access import get_or_404
from huhang.core.audit import audit_search
from huhang.core.dates import this_month
from huhang.core.masking import mask_account
from huhang.core.money import yuan
from huhang.core.roles import can
from huhang.registry.models import Child

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from huhang.accounts.models import User

    class Paid(TypedDict):
        paid_fen: int

    # An entitlement with what non-failed lines paid for it (`paid_subquery`), in fen.
    PaidEntitlement = WithAnnotations[Entitlement, Paid]


def masked(cipher: str) -> str:
    """A stored (encrypted) account as pages show it: the last four digits only."""
    return mask_account(_decrypt(cipher)) if cipher else "—"


@lru_cache(maxsize=1024)
def _decrypt(cipher: str) -> str:
    return crypto.decrypt(cipher)


def visible_children(user: User) -> QuerySet[Child]:
    """The children whose entitlements and payments the user may see (decided by core.scope)."""
    return scope.visible(user, Child, "figures")


# --- Programmes and standards ---------------------------------------------------------------------


def programme_list(*, user: User, today: date | None = None) -> list[Programme]:
    """Every programme with its standards over time (newest first, each month's revisions
    newest first: a corrected amount is a new revision, the old one stays as history) and the
    one in force."""
    month = this_month(today)
    standards = Standard.objects.select_related("set_by").order_by("-effective_from", "-revision")
    rows = list(programmes(user=user).prefetch_related(Prefetch("standards", queryset=standards)))
    for programme in rows:
        standard_rows = list(programme.standards.all())
        latest: set[date] = set()
        for standard in standard_rows:
            standard.yuan = yuan(standard.amount_fen)
            standard.future = standard.effective_from > month
            standard.superseded = standard.effective_from in latest
            latest.add(standard.effective_from)
        programme.standard_rows = standard_rows
        programme.current = next(
            (s for s in standard_rows if s.effective_from <= month and not s.superseded), None
        )
    return rows


def programmes(*, user: User) -> QuerySet[Programme]:
    """The programmes, for a user who reads the funds (reference data: no audit)."""
    return scope.visible(user, Programme)


def programme_for_user(*, user: User, code: str) -> Programme:
    """A programme (by its code) for a user who reads the funds; 404 otherwise."""
    return scope.get(user, Programme, code)


@dataclass
class StandardImpact:
    """What setting a standard from a month would change, to warn before saving."""

    programme: Programme
    month: date
    amount_fen: int
    in_force_fen: int | None
    paid_lines: int
    paid_children: int
    past: bool

    @property
    def back_dated(self) -> bool:
        return self.past or self.paid_lines > 0

    @property
    def lowered(self) -> bool:
        return self.in_force_fen is not None and self.amount_fen < self.in_force_fen

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)

    @property
    def in_force_yuan(self) -> str:
        return yuan(self.in_force_fen)

    @property
    def token(self) -> str:
        """Ties a confirmation to exactly these values: change one and the warning comes back."""
        return f"{self.programme.code}:{self.month:%Y-%m}:{self.amount_fen}"


def standard_impact(
    *, user: User, programme: Programme, month: date, amount_fen: int, today: date | None = None
) -> StandardImpact:
    in_force = (
        Standard.objects.filter(programme=programme, effective_from__lte=month)
        .order_by("-effective_from", "-revision")
        .values_list("amount_fen", flat=True)
        .first()
    )
    paid = (
        scope.visible(user, PayrollLine)
        .filter(programme=programme, for_month__gte=month)
        .exclude(status=LineStatus.FAILED)
        .aggregate(lines=Count("pk"), children=Count("child", distinct=True))
    )
    return StandardImpact(
        programme=programme,
        month=month,
        amount_fen=amount_fen,
        in_force_fen=in_force,
        paid_lines=paid["lines"],
        paid_children=paid["children"],
        past=month < this_month(today),
    )


# --- Payees ---------------------------------------------------------------------------------------


def payee_list(*, user: User, child: Child, today: date | None = None) -> list[Payee]:
    """A child's payees, newest first, accounts masked; the one in force marked `current`."""
    today = today or timezone.localdate()
    if not can(user, "benefits.view"):
        return []
    payees = list(
        scope.visible(user, Payee).filter(child=child).select_related("created_by", "confirmed_by")
    )
    current = next((p for p in payees if p.valid_from <= today), None)
    for payee in payees:
        payee.masked_account = masked(payee.account_cipher)
        payee.current = payee is current
    return payees


def payee_for_user(*, user: User, child: Child, pk: Any) -> Payee:
    """One payee of a child the user sees, or 404."""
    return get_or_404(scope.visible(user, Payee).filter(child=child).select_related("child"), pk)


# --- Entitlements ---------------------------------------------------------------------------------


def paid_subquery(outer_child: str = "child_id", outer_programme: str = "programme_id") -> Subquery:
    """What non-failed lines paid a child under a programme (all months)."""
    lines = (
        PayrollLine.objects.filter(
            child_id=OuterRef(outer_child), programme_id=OuterRef(outer_programme)
        )
        .exclude(status=LineStatus.FAILED)
        .order_by()
        .values("child_id")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    return Subquery(lines[:1])


def entitlement_list(
    *, user: User, programme: Programme, state: str = ""
) -> QuerySet[PaidEntitlement]:
    """The programme's entitlements of the children the user sees, with their suspensions and
    what was paid; records one search event. The caller paginates; queries do not grow with the
    page (children joined, suspensions prefetched in one query)."""
    qs = scope.visible(user, Entitlement).filter(programme=programme)
    today = this_month()
    open_suspension = Suspension.objects.filter(entitlement=OuterRef("pk"), to_month__isnull=True)
    if state == "suspended":
        qs = qs.filter(pk__in=open_suspension.values("entitlement_id"))
    elif state == "active":
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).exclude(
            pk__in=Suspension.objects.filter(to_month__isnull=True).values("entitlement_id")
        )
    elif state == "ended":
        qs = qs.filter(ends_on__lt=today)
    audit_search(
        by=user,
        object_type="entitlement",
        label="享受资格列表",
        programme=programme.code,
        state=state,
    )
    return (
        qs.select_related("child__person", "child__division__parent")
        .prefetch_related(
            Prefetch("suspensions", queryset=Suspension.objects.order_by("from_month", "pk"))
        )
        .annotate(paid_fen=Coalesce(paid_subquery(), Value(0)))
        .order_by("child__division_id", "child__search_name", "starts_on", "pk")
    )


def decorate_entitlements(rows: Iterable[PaidEntitlement]) -> None:
    """Display fields for a page of entitlements (no queries: suspensions are prefetched)."""
    for entitlement in rows:
        suspensions = list(entitlement.suspensions.all())
        entitlement.open_suspension = next((s for s in suspensions if s.to_month is None), None)
        entitlement.past_suspensions = [s for s in suspensions if s.to_month is not None]
        entitlement.paid_yuan = yuan(entitlement.paid_fen)


def entitlement_for_user(*, user: User, pk: Any) -> Entitlement:
    """An entitlement of a child whose figures the user may see; 404 otherwise."""
    return scope.get(user, Entitlement, pk, "child__person", "child__division", "programme")


# --- A child's payment history (shown on its archive) ---------------------------------------------


@dataclass
class Payment:
    programme: str
    for_month: date
    amount: str
    status: str
    status_label: str
    failure_reason: str
    run_id: int
    run_status: str
    exported_at: datetime | None
    payee: str
    account: str


def child_payments(user: User, child: Child) -> list[Payment]:
    """Every payroll line of the child, newest month first, accounts masked; empty for a user
    without benefits.view or outside the user's scope. One query."""
    if not can(user, "benefits.view"):
        return []
    lines = (
        scope.visible(user, PayrollLine)
        .filter(child=child)
        .select_related("run", "programme")
        .order_by("-for_month", "-run_id", "-seq")
    )
    return [
        Payment(
            programme=line.programme.name,
            for_month=line.for_month,
            amount=yuan(line.amount_fen),
            status=line.status,
            status_label=line.get_status_display(),
            failure_reason=line.failure_reason,
            run_id=line.run_id,
            run_status=line.run.get_status_display(),
            exported_at=line.run.exported_at,
            payee=line.payee_name,
            account=masked(line.payee_account_cipher),
        )
        for line in lines
    ]
