"""Every write of the hand-entered student lists: 福彩圆梦·孤儿助学 (the scholarship, paid once per
school year) and 金秋助学 (once). Each enrolment is an entitlement the payroll pays like any
other; each write is one transaction, takes the acting user and is audited."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.benefits.models import Entitlement, LineStatus, PayrollLine
from huhang.benefits.services import check_child
from huhang.core import facts
from huhang.core.access import claim, require
from huhang.core.dates import month_start
from huhang.core.exceptions import DomainError
from huhang.registry.models import (
    ALLOWANCE_CATEGORIES,
    AssistanceType,
    CategoryAssignment,
    CategoryStatus,
    Child,
)
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from huhang.accounts.models import User

SCHOLARSHIP, AUTUMN_AID = "scholarship", "autumn-aid"


@transaction.atomic
def scholarship_enrol(
    *, by: User, child: Child, school_year: int, school: str, note: str = ""
) -> Entitlement:
    """福彩圆梦·孤儿助学: a student of 18 or more in full-time study who was an approved orphan or
    DFUC before turning 18 is paid once per school year, from 1 September of `school_year`."""
    require(by, "benefits.manage")
    check_child(by, child.pk)
    starts_on = date(school_year, facts.SCHOOL_YEAR_START_MONTH, 1)
    person = child.person
    age = person.age_on(starts_on)
    if age < facts.ADULT_AGE:
        raise DomainError(
            _("助学对象须年满18周岁：该学生在 %(day)s 时为 %(age)s 岁。")
            % {"day": f"{starts_on:%Y-%m-%d}", "age": age},
            field="school_year",
        )
    adult = facts.adult_on(person.birth_date)
    qualified = CategoryAssignment.objects.filter(
        child=child,
        category__in=ALLOWANCE_CATEGORIES,
        status__in=[CategoryStatus.APPROVED, CategoryStatus.ENDED],
        effective_from__lt=adult,
    ).exists()
    if not qualified:
        raise DomainError(
            _(
                "助学对象须在年满18周岁（%(day)s）前被认定为孤儿或事实无人抚养儿童；"
                "该学生没有这样的认定记录。"
            )
            % {"day": f"{adult:%Y-%m-%d}"}
        )
    overlapping = Entitlement.objects.filter(child=child, programme_id=SCHOLARSHIP).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if overlapping.exists():
        raise DomainError(_("该学生已在助学名单中（同一学年只资助一次）。"))
    basis = "；".join(part for part in (school.strip(), note.strip()) if part)
    try:
        with transaction.atomic():
            entitlement = Entitlement.objects.create(
                child=child,
                programme_id=SCHOLARSHIP,
                starts_on=starts_on,
                basis=basis[:200],
                created_by=by,
            )
    except IntegrityError as exc:
        raise DomainError(_("该学生已在助学名单中（同一学年只资助一次）。")) from exc
    audit_child(by=by, child=child, scholarship=f"{starts_on:%Y-%m}", school=school.strip())
    return entitlement


@transaction.atomic
def scholarship_leave(
    *, by: User, entitlement: Entitlement, left_on: date, reason: str
) -> Entitlement:
    """The student left full-time study: the scholarship ends with the school year it left in
    (never before a school year already paid), so no later September pays it."""
    require(by, "benefits.manage")
    check_child(by, entitlement.child_id)
    if entitlement.programme_id != SCHOLARSHIP:
        raise DomainError(_("这不是助学名单中的记录。"))
    if entitlement.ends_on is not None:
        raise DomainError(_("已登记该学生离开全日制学习。"))
    if not reason.strip():
        raise DomainError(_("请填写原因。"), field="reason")
    if left_on > timezone.localdate():
        raise DomainError(_("离开日期不能晚于今天。"), field="left_on")
    last_paid = (
        PayrollLine.objects.filter(child_id=entitlement.child_id, programme_id=SCHOLARSHIP)
        .exclude(status=LineStatus.FAILED)
        .aggregate(last=Max("for_month"))["last"]
    )
    ends_on = facts.school_year_start(left_on)
    if last_paid is not None and last_paid > ends_on:
        ends_on = last_paid
    if ends_on < entitlement.starts_on:
        raise DomainError(
            _("离开日期早于资助起始学年（%(start)s），请核对。")
            % {"start": f"{entitlement.starts_on:%Y-%m}"},
            field="left_on",
        )
    note = _("%(day)s 离开全日制学习：%(reason)s") % {
        "day": f"{left_on:%Y-%m-%d}",
        "reason": reason.strip(),
    }
    basis = "；".join(part for part in (entitlement.basis, note) if part)[:200]
    # Claimed while still open: a second registration from a stale page (another tab, another
    # officer) is refused instead of moving the end and doubling the note.
    claim(
        Entitlement.objects.filter(pk=entitlement.pk, ends_on__isnull=True),
        refusal=_("已登记该学生离开全日制学习。"),
        ends_on=ends_on,
        basis=basis,
    )
    entitlement.refresh_from_db()
    audit_child(
        by=by,
        child=entitlement.child,
        scholarship_ends=f"{ends_on:%Y-%m}",
        reason=reason.strip(),
    )
    return entitlement


LOW_INCOME = (AssistanceType.URBAN_DIBAO, AssistanceType.RURAL_DIBAO, AssistanceType.TEKUN)


@transaction.atomic
def autumn_aid_enrol(
    *, by: User, child: Child, month: date, school: str, note: str = ""
) -> Entitlement:
    """金秋助学: a graduating high-school student of a 低保 or 特困 household, once (an
    entitlement of one month: starts_on = ends_on)."""
    require(by, "benefits.manage")
    check_child(by, child.pk)
    household = child.person.household
    if household is None or household.assistance not in LOW_INCOME:
        raise DomainError(
            _(
                "金秋助学面向低保、特困家庭的学生：该学生的家庭户未登记城乡低保或特困供养。"
                "请先在档案中核实并登记家庭救助类型。"
            )
        )
    if Entitlement.objects.filter(child=child, programme_id=AUTUMN_AID).exists():
        raise DomainError(_("该学生已在金秋助学名单中（一次性资助）。"))
    month = month_start(month)
    basis = "；".join(part for part in (school.strip(), note.strip()) if part)
    entitlement = Entitlement.objects.create(
        child=child,
        programme_id=AUTUMN_AID,
        starts_on=month,
        ends_on=month,
        basis=basis[:200],
        created_by=by,
    )
    audit_child(by=by, child=child, autumn_aid=f"{month:%Y-%m}", assistance=household.assistance)
    return entitlement
