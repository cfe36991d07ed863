"""Every write of the guarantee funds' standing data: standards, payees, entitlements and their
suspensions. Each is one transaction, takes the acting user and is audited. The payroll run's
steps are in benefits.payroll.services, the hand-entered student lists in
benefits.students.services."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.benefits.models import Entitlement, Payee, Programme, Standard, Suspension
from huhang.core import crypto, scope
from huhang.core.access import claim, require
from huhang.core.audit import audit_record
from huhang.core.dates import add_months, month_start
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.id_messages import checked_name
from huhang.registry.models import (
    ALLOWANCE_CATEGORIES,
    CategoryAssignment,
    CategoryStatus,
    Child,
    Living,
)
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from huhang.accounts.models import User

# Which approved category (and way of living) entitles a child to which monthly programme.
CATEGORY_PROGRAMMES: dict[tuple[str, str], str] = {
    ("orphan", Living.INSTITUTION): "orphan-institution",
    ("orphan", Living.HOME): "orphan-home",
    ("orphan", Living.RELATIVES): "orphan-home",
    ("orphan", Living.FOSTER): "orphan-home",
    ("dfuc", Living.HOME): "dfuc",
    ("dfuc", Living.RELATIVES): "dfuc",
    ("dfuc", Living.FOSTER): "dfuc",
    ("dfuc", Living.INSTITUTION): "dfuc",
}


def check_child(by: User, child_id: int) -> None:
    """404 unless `by` may see this child's funds (one query): a write is scoped like a read,
    whoever calls it — a view has fetched its record through a scoped selector, the command
    line, the API or another service may not have. Payees and entitlements follow their child
    (benefits.scope), so the funds' services check the child a record belongs to."""
    scope.get(by, Child, child_id, purpose="figures")


@transaction.atomic
def standard_set(
    *, by: User, programme: Programme, effective_from: date, amount_fen: int, note: str = ""
) -> Standard:
    """Set a programme's amount from a month on; a month in the past is a back-dated change
    whose differences the next run pays (补发)."""
    require(by, "benefits.manage")
    if amount_fen <= 0:
        raise DomainError(_("金额必须大于零。"), field="amount_fen")
    if effective_from.day != 1:
        raise DomainError(_("标准须从某月1日起生效。"), field="effective_from")
    current = (
        Standard.objects.filter(programme=programme, effective_from=effective_from)
        .order_by("-revision")
        .first()
    )
    if current is not None and current.amount_fen == amount_fen:
        return current
    standard = Standard.objects.create(
        programme=programme,
        effective_from=effective_from,
        amount_fen=amount_fen,
        note=note,
        set_by=by,
        revision=current.revision + 1 if current else 1,
    )
    audit_record(
        by=by,
        action="change",
        object_type="standard",
        object_id=standard.pk,
        label=f"{programme.code} {effective_from:%Y-%m}",
        detail={"amount_fen": amount_fen},
    )
    return standard


@transaction.atomic
def payee_set(
    *, by: User, child: Child, name: str, relation: str, bank: str, account: str, valid_from: date
) -> Payee:
    require(by, "benefits.manage")
    check_child(by, child.pk)
    digits = "".join(account.split())
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise DomainError(_("银行账号应为8到30位数字。"), field="account")
    if not name.strip() or not bank.strip():
        raise DomainError(_("请填写收款人姓名和开户行。"))
    name = checked_name(name)
    payee = Payee.objects.create(
        child=child,
        name=name.strip(),
        relation=relation.strip(),
        bank=bank.strip(),
        account_cipher=crypto.encrypt(digits),
        account_last4=digits[-4:],
        valid_from=valid_from,
        created_by=by,
    )
    _audit_payee(by, payee)
    return payee


@transaction.atomic
def payee_confirm(*, by: User, payee: Payee) -> Payee:
    """Four eyes: a second officer confirms a new or changed account (checked against the
    passbook or the bank's statement) before any payroll run pays it."""
    require(by, "benefits.manage")
    check_child(by, payee.child_id)
    if payee.confirmed_at is not None:
        raise InvalidTransition(_("该收款账号已确认。"))
    if payee.created_by_id == by.pk:
        raise NotAllowed(_("收款账号须由登记人以外的另一名工作人员确认。"))
    claim(
        Payee.objects.filter(pk=payee.pk, confirmed_at__isnull=True).exclude(created_by=by),
        refusal=_("该收款账号已被他人确认，请刷新页面。"),
        confirmed_by=by,
        confirmed_at=timezone.now(),
    )
    payee.refresh_from_db()
    _audit_payee(by, payee, payee_confirmed=True)
    return payee


def _audit_payee(by: User, payee: Payee, **extra: Any) -> None:
    """A payee's account is audited on its child, by its last four digits only."""
    audit_child(
        by=by, child=payee.child, payee=payee.pk, **extra, account_last4=payee.account_last4
    )


def entitlements_sync(*, by: User, today: date | None = None) -> dict[str, int]:
    """Derive monthly entitlements from approved (and ended) category assignments.

    A child is paid from the month after approval (HUHANG_PAY_FROM_MONTHS_AFTER_APPROVAL) until
    the month its category ends. Two queries to read, one bulk insert, one update per ended row.
    """
    today = today or timezone.localdate()
    offset = settings.HUHANG_PAY_FROM_MONTHS_AFTER_APPROVAL
    assignments = (
        CategoryAssignment.objects.filter(
            category__in=ALLOWANCE_CATEGORIES,
            status__in=[CategoryStatus.APPROVED, CategoryStatus.ENDED],
            effective_from__isnull=False,
        )
        .select_related("child")
        .values_list(
            "pk", "child_id", "category", "child__living", "effective_from", "effective_to"
        )
    )
    existing = dict(
        Entitlement.objects.filter(assignment__isnull=False).values_list("assignment_id", "pk")
    )
    new, ended = [], 0
    with transaction.atomic():
        for pk, child_id, category, living, start, end in assignments:
            ends_on = month_start(end) if end else None
            if pk in existing:
                ended += (
                    Entitlement.objects.filter(pk=existing[pk])
                    .exclude(ends_on=ends_on)
                    .update(ends_on=ends_on)
                )
                continue
            # effective_from is never null here (filtered above)
            starts_on = add_months(month_start(cast(date, start)), offset)
            if ends_on is not None and ends_on < starts_on:
                continue
            new.append(
                Entitlement(
                    child_id=child_id,
                    programme_id=CATEGORY_PROGRAMMES[(category, living)],
                    starts_on=starts_on,
                    ends_on=ends_on,
                    assignment_id=pk,
                    basis=_("类别认定 #%(n)s") % {"n": pk},
                    created_by=by,
                )
            )
        Entitlement.objects.bulk_create(new, ignore_conflicts=True)
    return {"created": len(new), "ended": ended}


@transaction.atomic
def suspend(*, by: User, entitlement: Entitlement, from_month: date, reason: str) -> Suspension:
    """停发 from a month on, until resumed."""
    require(by, "benefits.manage")
    check_child(by, entitlement.child_id)
    if not reason.strip():
        raise DomainError(_("停发须填写原因。"), field="reason")
    try:
        with transaction.atomic():
            suspension = Suspension.objects.create(
                entitlement=entitlement,
                from_month=month_start(from_month),
                reason=reason.strip(),
                suspended_by=by,
            )
    except IntegrityError as exc:
        raise DomainError(_("该资格已处于停发状态。")) from exc
    audit_child(by=by, child=entitlement.child, suspended=entitlement.programme_id, reason=reason)
    return suspension


@transaction.atomic
def resume(*, by: User, entitlement: Entitlement, from_month: date, reason: str) -> Suspension:
    """恢复 from a month on: the suspension covers the months before it. Months suspended are
    not paid afterwards; to pay them after all, end the suspension earlier."""
    require(by, "benefits.manage")
    check_child(by, entitlement.child_id)
    if not reason.strip():
        raise DomainError(_("恢复发放须填写原因。"), field="reason")
    suspension = entitlement.suspensions.filter(to_month__isnull=True).first()
    if suspension is None:
        raise InvalidTransition(_("该资格未停发。"))
    last = add_months(month_start(from_month), -1)
    if last < suspension.from_month:
        raise DomainError(_("恢复月份不能早于停发月份。"), field="from_month")
    # Claimed while still open: of two resumptions of the same suspension, the second is
    # refused instead of writing its month and reason over the first's.
    claim(
        Suspension.objects.filter(pk=suspension.pk, to_month__isnull=True),
        refusal=_("该资格未停发。"),
        to_month=last,
        resume_reason=reason.strip(),
        resumed_by=by,
    )
    suspension.refresh_from_db()
    audit_child(by=by, child=entitlement.child, resumed=entitlement.programme_id, reason=reason)
    return suspension
