"""Every write to the registry: keyword-only, one transaction each, the acting user passed in,
and an audit event for each change of a child's data."""

from __future__ import annotations

from datetime import date
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.core import facts, idnumber, names, scope, uploads
from huhang.core.access import claim, require
from huhang.core.dates import add_months
from huhang.core.exceptions import ConcurrentEdit, DomainError, InvalidTransition, NotAllowed
from huhang.core.id_messages import checked_name, id_error_message
from huhang.core.models import AuditAction
from huhang.core.validation import check_period, create_checked, in_scope, not_future, required_text
from huhang.regions.models import Division, Level
from huhang.registry import archives
from huhang.registry.models import (
    DEATH_SITUATIONS,
    PARENT_KINDS,
    Category,
    CategoryAssignment,
    CategoryStatus,
    Child,
    Document,
    Household,
    Person,
    Relation,
    Situation,
)
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from huhang.accounts.models import User

CHILD_FIELDS = ("address", "living", "school", "school_stage", "health", "notes")
PERSON_FIELDS = ("name", "sex", "birth_date", "ethnicity", "phone", "hukou_code")


def _checked_id(raw: str | None, *, birth_date: date, sex: str, today: date) -> str | None:
    """A valid, normalised ID number agreeing with birth date and sex, or None when blank."""
    if raw is None or not raw.strip():
        return None
    try:
        return idnumber.validate(raw, birth_date=birth_date, sex=sex, today=today).value
    except idnumber.IdNumberError as exc:
        raise DomainError(id_error_message(exc), field="id_number") from exc


def _check_birth(birth_date: date, today: date, *, child: bool) -> None:
    not_future(birth_date, _("出生日期不能晚于今天。"), field="birth_date", today=today)
    if child and facts.age_on(birth_date, today) >= facts.ADULT_AGE:
        raise DomainError(_("该人员已满18周岁，不能作为儿童建档。"), field="birth_date")


def _check_community(by: User, division: Division) -> None:
    if division.level != Level.COMMUNITY:
        raise DomainError(_("请选择儿童所属的社区或村。"), field="division")
    in_scope(by, division, _("所选社区不在您的管辖范围内。"), field="division")


def _unique_id(id_number: str | None, *, exclude_person: int | None = None) -> None:
    if id_number is None:
        return
    clash = Person.objects.filter(id_number=id_number)
    if exclude_person is not None:
        clash = clash.exclude(pk=exclude_person)
    if clash.exists():
        raise DomainError(_("该公民身份号码已登记在其他人员名下。"), field="id_number")


@transaction.atomic
def child_register(
    *,
    by: User,
    name: str,
    sex: str,
    birth_date: date,
    division: Division,
    id_number: str | None = None,
    today: date | None = None,
    **profile: Any,
) -> Child:
    """Open an archive (建档) for a child: a new person, or an adult-free existing one by ID.

    One archive per child: an archive of the same child (archives.archive_matches) refuses the
    new one; archives that may be the same child are sent to the bureau's review with it."""
    require(by, "registry.edit")
    today = today or timezone.localdate()
    name = checked_name(name)
    _check_birth(birth_date, today, child=True)
    id_number = _checked_id(id_number, birth_date=birth_date, sex=sex, today=today)
    _check_community(by, division)
    person_fields = {k: profile.pop(k) for k in PERSON_FIELDS if k in profile}
    person = Person.objects.filter(id_number=id_number).first() if id_number else None
    if person is not None and Child.objects.filter(person=person).exists():
        raise DomainError(_("该儿童已建档。"), field="id_number")
    matches = archives.archive_matches(
        name=name,
        sex=sex,
        birth_date=birth_date,
        division=division,
        id_number=id_number,
        hukou_code=person_fields.get("hukou_code") or "",
    )
    if matches.same is not None:
        raise DomainError(
            _(
                "本社区已有同名、同出生日期、同性别的儿童档案（档案号 %(pk)s），"
                "请在该档案上登记，不要重复建档。"
            )
            % {"pk": matches.same.pk},
            field="name",
        )
    if person is None:
        person = Person(id_number=id_number)
    for key, value in {
        "name": name.strip(),
        "sex": sex,
        "birth_date": birth_date,
        **person_fields,
    }.items():
        setattr(person, key, value)
    person.name_key = names.search_key(person.name)
    person.full_clean()
    person.save()
    child = Child(person=person, division=division, registered_by=by, **profile)
    child.copy_search_fields(person)
    child.full_clean()
    child.save()
    audit_child(by=by, child=child, action=AuditAction.CREATE)
    archives.duplicates_record(by=by, child=child, possible=matches.possible)
    return child


@transaction.atomic
def child_find_or_register(
    *,
    by: User,
    name: str,
    sex: str,
    birth_date: date,
    division: Division,
    id_number: str | None = None,
    today: date | None = None,
    **profile: Any,
) -> tuple[Child, bool]:
    """The child's archive for a record that arrives without one (a lead's verification, an
    import): the archive of the same child when the user may see it, else a new archive (with
    the archives that may be the same child sent to review). Returns (archive, created)."""
    require(by, "registry.edit")
    today = today or timezone.localdate()
    checked = _checked_id(id_number, birth_date=birth_date, sex=sex, today=today)
    matches = archives.archive_matches(
        name=checked_name(name),
        sex=sex,
        birth_date=birth_date,
        division=division,
        id_number=checked,
        hukou_code=profile.get("hukou_code") or "",
    )
    if matches.same is not None and scope.visible(by, Child).filter(pk=matches.same.pk).exists():
        audit_child(by=by, child=matches.same, attached=True)
        return matches.same, False
    child = child_register(
        by=by,
        name=name,
        sex=sex,
        birth_date=birth_date,
        division=division,
        id_number=id_number,
        today=today,
        **profile,
    )
    return child, True


def child_search_fields_refresh(children: QuerySet[Child]) -> int:
    """Set-based: copy the persons' search fields onto these children (after a bulk load)."""
    person = Person.objects.filter(pk=OuterRef("person_id"))
    return children.update(
        search_name=Subquery(person.values("name_key")[:1]),
        search_id=Coalesce(Subquery(person.values("id_index")[:1]), Value("")),
        search_last=Coalesce(Subquery(person.values("id_last")[:1]), Value("")),
        search_birth=Subquery(person.values("birth_date")[:1]),
    )


@transaction.atomic
def child_update(
    *, by: User, child: Child, version: int, today: date | None = None, **changes: Any
) -> Child:
    """Save an edit of the archive if nobody saved in between; otherwise refuse (no lost update)."""
    require(by, "registry.edit")
    archives.check_children(by, child.pk)
    today = today or timezone.localdate()
    # The conditional UPDATE claims the version: of two editors who opened version N, exactly
    # one changes the row here; the other's save is refused before anything is written — as a
    # lost update (ConcurrentEdit), which sends the user back to reload the archive.
    claim(
        Child.objects.filter(pk=child.pk, version=version),
        refusal=ConcurrentEdit(_("该档案已被他人修改，您的修改未保存。请重新打开档案后再修改。")),
        version=F("version") + 1,
    )
    person = Person.objects.select_for_update().get(pk=child.person_id)
    child = Child.objects.select_related("division").get(pk=child.pk)
    before = {f: getattr(person, f) for f in PERSON_FIELDS} | {
        f: getattr(child, f) for f in CHILD_FIELDS
    }
    old_id = person.id_number
    new_id = changes.pop("id_number", old_id)
    division = changes.pop("division", child.division)
    before_division = child.division_id
    for key in PERSON_FIELDS:
        if key in changes:
            setattr(person, key, changes[key])
    for key in CHILD_FIELDS:
        if key in changes:
            setattr(child, key, changes[key])
    _check_birth(person.birth_date, today, child=True)
    person.id_number = _checked_id(
        new_id, birth_date=person.birth_date, sex=person.sex, today=today
    )
    _unique_id(person.id_number, exclude_person=person.pk)
    if division.pk != child.division_id:
        _check_community(by, division)
        child.division = division
    person.name = checked_name(person.name)
    person.name_key = names.search_key(person.name)
    child.copy_search_fields(person)
    person.full_clean()
    child.full_clean()
    person.save()
    child.save()
    after = {f: getattr(person, f) for f in PERSON_FIELDS} | {
        f: getattr(child, f) for f in CHILD_FIELDS
    }
    changed = sorted(k for k in after if after[k] != before[k])
    if person.id_number != old_id:
        changed.append("id_number")
    if child.division_id != before_division:
        changed.append("division")
    audit_child(by=by, child=child, fields=changed, version=version + 1)
    return child


def _person_for_relative(
    *, name: str, sex: str, birth_date: date, id_number: str | None, today: date
) -> Person:
    _check_birth(birth_date, today, child=False)
    name = checked_name(name)
    id_number = _checked_id(id_number, birth_date=birth_date, sex=sex, today=today)
    if id_number:
        existing = Person.objects.filter(id_number=id_number).first()
        if existing is not None:
            return existing
    return create_checked(
        Person,
        name=name.strip(),
        sex=sex,
        birth_date=birth_date,
        id_number=id_number,
        name_key=names.search_key(name),
    )


@transaction.atomic
def relation_add(
    *,
    by: User,
    child: Child,
    kind: str,
    name: str,
    sex: str,
    birth_date: date,
    id_number: str | None = None,
    is_guardian: bool = False,
    since: date | None = None,
    today: date | None = None,
) -> Relation:
    """Record a relative of a child (creating the person if new); optionally the new guardian."""
    require(by, "registry.edit")
    archives.check_children(by, child.pk)
    today = today or timezone.localdate()
    relative = _person_for_relative(
        name=name, sex=sex, birth_date=birth_date, id_number=id_number, today=today
    )
    if relative.pk == child.person_id:
        raise DomainError(_("不能将儿童本人登记为其亲属。"), field="id_number")
    if (
        kind in PARENT_KINDS
        and Relation.objects.filter(child_id=child.person_id, kind=kind).exists()
    ):
        raise DomainError(_("该儿童已登记了此项关系（父亲、母亲各只能登记一人）。"), field="kind")
    if Relation.objects.filter(child_id=child.person_id, relative=relative).exists():
        raise DomainError(_("此人已登记为该儿童的亲属。"), field="id_number")
    if is_guardian:
        Relation.objects.filter(child_id=child.person_id, is_guardian=True).update(
            is_guardian=False
        )
    relation = Relation(
        child_id=child.person_id, relative=relative, kind=kind, is_guardian=is_guardian, since=since
    )
    relation.full_clean(validate_constraints=False)
    relation.save()
    audit_child(by=by, child=child, relation_added=kind, relative=relative.pk, guardian=is_guardian)
    return relation


def _check_can_guard(person: Person) -> None:
    if Situation.objects.filter(person=person, kind__in=DEATH_SITUATIONS).exists():
        raise DomainError(
            _("该人员已死亡或被宣告死亡、失踪，不能作为监护人。"), field="is_guardian"
        )


@transaction.atomic
def guardian_set(*, by: User, child: Child, relation: Relation) -> Relation:
    require(by, "registry.edit")
    archives.check_children(by, child.pk)
    if relation.child_id != child.person_id:
        raise DomainError(_("该亲属不属于此儿童。"))
    _check_can_guard(relation.relative)
    Relation.objects.filter(child_id=child.person_id, is_guardian=True).update(is_guardian=False)
    # The relation must still be this child's: a relation removed meanwhile is refused, and the
    # transaction gives the previous guardian back.
    claim(
        Relation.objects.filter(pk=relation.pk, child_id=child.person_id),
        refusal=_("该亲属不属于此儿童。"),
        is_guardian=True,
    )
    audit_child(by=by, child=child, guardian=relation.relative_id)
    relation.is_guardian = True
    return relation


@transaction.atomic
def situation_record(
    *,
    by: User,
    child: Child,
    person: Person,
    kind: str,
    started_on: date,
    ended_on: date | None = None,
    detail: str = "",
    evidence: str = "",
    today: date | None = None,
) -> Situation:
    """Record a situation of the child or one of its relatives (e.g. the father imprisoned)."""
    require(by, "registry.edit")
    archives.check_children(by, child.pk)
    today = today or timezone.localdate()
    related = (
        person.pk == child.person_id
        or Relation.objects.filter(child_id=child.person_id, relative=person).exists()
    )
    if not related:
        raise DomainError(_("此人不是该儿童的家庭成员。"))
    not_future(started_on, _("起始日期不能晚于今天。"), field="started_on", today=today)
    check_period(started_on, ended_on, _("终止日期不能早于起始日期。"), field="ended_on")
    situation = create_checked(
        Situation,
        person=person,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        detail=detail,
        evidence=evidence,
        recorded_by=by,
    )
    audit_child(by=by, child=child, situation=kind, person=person.pk, started_on=str(started_on))
    return situation


@transaction.atomic
def household_update(
    *, by: User, child: Child, address: str, assistance: str, assistance_since: date | None
) -> Household:
    require(by, "registry.edit")
    archives.check_children(by, child.pk)
    person = Person.objects.select_for_update().get(pk=child.person_id)
    household = person.household
    if household is None:
        household = Household(division=child.division, head=None)
    household.address = address
    household.assistance = assistance
    household.assistance_since = assistance_since if assistance else None
    household.full_clean()
    household.save()
    if person.household_id != household.pk:
        person.household = household
        person.save(update_fields=["household"])
    audit_child(by=by, child=child, household=household.pk, assistance=assistance)
    return household


# --- Category timeline: candidate → verified → approved → ended ---------------------------------
#
# Four eyes (issue 12): three different people propose, verify and approve a category (a check
# constraint on the table as well); ending an approved category is proposed by one person and
# confirmed by another; an effective date more than HUHANG_BACKDATE_MONTHS before the approval
# needs a reason given before approval, which the approval page shows. A category decided
# through a screening lead counts the lead's people (`category_from_lead`, `category_end_from_lead`):
# the lead itself passed three people.


def backdate_floor(today: date) -> date:
    """The earliest effective date that needs no back-dating reason when approved `today`."""
    return add_months(today, -settings.HUHANG_BACKDATE_MONTHS)


def _other_hands(by: User | None, earlier: dict[str, int | None]) -> None:
    """Refuse `by` if it took an earlier step of the same assignment."""
    if by is None:
        return
    for step, user_id in earlier.items():
        if user_id is not None and by.pk == user_id:
            raise NotAllowed(
                _("提出、核实和审批须由三个不同的人完成：您已处理过该认定的上一环节（%(step)s）。")
                % {"step": step}
            )


def _check_backdating(
    effective_from: date | None, reason: str, *, today: date, field: str = "effective_from"
) -> None:
    if effective_from is None:
        return
    not_future(effective_from, _("生效日期不能晚于今天。"), field=field, today=today)
    if effective_from < backdate_floor(today) and not reason.strip():
        raise DomainError(
            _("生效日期早于%(n)s个月前，须填写追溯理由（审批人可见）。")
            % {"n": settings.HUHANG_BACKDATE_MONTHS},
            field="backdate_reason",
        )


@transaction.atomic
def category_propose(
    *,
    by: User,
    child: Child,
    category: str,
    basis: str,
    effective_from: date | None = None,
    backdate_reason: str = "",
    today: date | None = None,
    _proposer: User | None = None,
) -> CategoryAssignment:
    """Propose a category; `effective_from` (optional) is the date the proposer asks for, and a
    date beyond the back-dating limit needs `backdate_reason`."""
    require(by, "category.propose")
    archives.check_children(by, child.pk)
    today = today or timezone.localdate()
    basis = required_text(basis, _("请填写认定依据。"), field="basis")
    _check_backdating(effective_from, backdate_reason, today=today)
    open_already = DomainError(_("该儿童已有此类别的未终止认定。"), field="category")
    if child.categories.filter(category=category).exclude(status=CategoryStatus.ENDED).exists():
        raise open_already
    assignment = create_checked(
        CategoryAssignment,
        refusal=open_already,  # a concurrent proposal won the unique constraint
        child=child,
        category=category,
        basis=basis,
        proposed_by=_proposer or by,
        proposed_from=effective_from,
        backdate_reason=backdate_reason.strip(),
    )
    _audit_category(by, assignment, "proposed", effective_from=str(effective_from or ""))
    return assignment


def _step(assignment: CategoryAssignment, expected: str, **fields: Any) -> None:
    """Move the assignment on only if it is still in the expected state (no double approval)."""
    claim(
        CategoryAssignment.objects.filter(pk=assignment.pk, status=expected),
        refusal=_("该认定的状态已变化，请刷新后重试。"),
        **fields,
    )
    for key, value in fields.items():
        setattr(assignment, key, value)


@transaction.atomic
def category_verify(
    *, by: User, assignment: CategoryAssignment, note: str = "", _verifier: User | None = None
) -> CategoryAssignment:
    require(by, "category.verify")
    archives.check_children(by, assignment.child_id)
    if assignment.status != CategoryStatus.CANDIDATE:
        raise InvalidTransition(_("只有待核实的认定可以核实。"))
    verifier = _verifier or by
    _other_hands(verifier, {_("提出"): assignment.proposed_by_id})
    _step(
        assignment,
        CategoryStatus.CANDIDATE,
        status=CategoryStatus.VERIFIED,
        verified_by=verifier,
        verified_at=timezone.now(),
    )
    _audit_category(by, assignment, "verified", note=note, verified_by=verifier.pk)
    return assignment


@transaction.atomic
def category_approve(
    *,
    by: User,
    assignment: CategoryAssignment,
    effective_from: date | None = None,
    today: date | None = None,
) -> CategoryAssignment:
    """Approve a verified category from `effective_from` (default: the proposed date, else
    today). A date beyond the back-dating limit is approved only with the reason given before
    approval and not earlier than the date that reason was given for."""
    require(by, "category.approve")
    archives.check_children(by, assignment.child_id)
    today = today or timezone.localdate()
    if assignment.status != CategoryStatus.VERIFIED:
        raise InvalidTransition(_("只有已核实的认定可以审批。"))
    _other_hands(by, {_("提出"): assignment.proposed_by_id, _("核实"): assignment.verified_by_id})
    effective_from = effective_from or assignment.proposed_from or today
    not_future(effective_from, _("生效日期不能晚于今天。"), field="effective_from", today=today)
    floor = backdate_floor(today)
    if effective_from < floor and (
        not assignment.backdate_reason
        or assignment.proposed_from is None
        or effective_from < assignment.proposed_from
    ):
        raise DomainError(
            _(
                "生效日期早于%(n)s个月前（%(floor)s），须由提出人在提出时填写追溯理由，"
                "且不能早于所提出的生效日期。"
            )
            % {"n": settings.HUHANG_BACKDATE_MONTHS, "floor": floor.isoformat()},
            field="effective_from",
        )
    _step(
        assignment,
        CategoryStatus.VERIFIED,
        status=CategoryStatus.APPROVED,
        approved_by=by,
        approved_at=timezone.now(),
        effective_from=effective_from,
        backdate_floor=floor,
    )
    _audit_category(
        by,
        assignment,
        "approved",
        effective_from=str(effective_from),
        backdated=effective_from < floor,
    )
    return assignment


@transaction.atomic
def category_end(
    *,
    by: User,
    assignment: CategoryAssignment,
    reason: str,
    effective_to: date | None = None,
    today: date | None = None,
) -> CategoryAssignment:
    """Reject a candidate or verified category at once; for an approved one, propose the end
    (a second person confirms it with `category_end_confirm`)."""
    require(by, "category.verify")
    archives.check_children(by, assignment.child_id)
    today = today or timezone.localdate()
    if assignment.status == CategoryStatus.ENDED:
        raise InvalidTransition(_("该认定已终止。"))
    if assignment.status == CategoryStatus.APPROVED:
        return category_end_propose(
            by=by, assignment=assignment, reason=reason, effective_to=effective_to, today=today
        )
    reason = required_text(reason, _("终止或驳回须填写原因。"), field="reason")
    _end(by, assignment, reason=reason, effective_to=None)
    return assignment


def _end(
    by: User,
    assignment: CategoryAssignment,
    *,
    reason: str,
    effective_to: date | None,
    **audit: Any,
) -> None:
    """End the assignment from the state it was read in (refused if it moved meanwhile), by
    `by`, for `reason`, to `effective_to` (None: it never took effect); audited as "ended"."""
    _step(
        assignment,
        assignment.status,
        status=CategoryStatus.ENDED,
        ended_reason=reason,
        ended_by=by,
        effective_to=effective_to,
    )
    _audit_category(by, assignment, "ended", reason=reason, **audit)


def _end_date(assignment: CategoryAssignment, effective_to: date | None, today: date) -> date:
    effective_to = effective_to or today
    not_future(effective_to, _("终止日期不能晚于今天。"), field="effective_to", today=today)
    check_period(
        assignment.effective_from,
        effective_to,
        _("终止日期不能早于生效日期。"),
        field="effective_to",
    )
    return effective_to


@transaction.atomic
def category_end_propose(
    *,
    by: User,
    assignment: CategoryAssignment,
    reason: str,
    effective_to: date | None = None,
    today: date | None = None,
    _proposer: User | None = None,
) -> CategoryAssignment:
    """Propose to end an approved category; it stays approved until another person confirms."""
    require(by, "category.verify")
    archives.check_children(by, assignment.child_id)
    today = today or timezone.localdate()
    if assignment.status != CategoryStatus.APPROVED:
        raise InvalidTransition(_("只有已认定的类别需要提出终止。"))
    reason = required_text(reason, _("终止或驳回须填写原因。"), field="reason")
    effective_to = _end_date(assignment, effective_to, today)
    proposer = _proposer or by
    claim(
        CategoryAssignment.objects.filter(
            pk=assignment.pk, status=CategoryStatus.APPROVED, end_proposed_at__isnull=True
        ),
        refusal=_("已有人提出终止该认定，等待另一人确认。"),
        end_proposed_by=proposer,
        end_proposed_at=timezone.now(),
        end_proposed_to=effective_to,
        end_proposed_reason=reason[:200],
    )
    assignment.refresh_from_db()
    _audit_category(by, assignment, "end_proposed", reason=reason, effective_to=str(effective_to))
    return assignment


@transaction.atomic
def category_end_confirm(
    *, by: User, assignment: CategoryAssignment, today: date | None = None
) -> CategoryAssignment:
    """The second person's confirmation of a proposed end: the category ends with the proposed
    reason and date."""
    require(by, "category.approve")
    archives.check_children(by, assignment.child_id)
    if assignment.status != CategoryStatus.APPROVED or assignment.end_proposed_at is None:
        raise InvalidTransition(_("该认定没有待确认的终止。"))
    if assignment.end_proposed_by_id == by.pk:
        raise NotAllowed(_("终止须由另一人确认：您是终止的提出人。"))
    _end(
        by,
        assignment,
        reason=assignment.end_proposed_reason,
        effective_to=assignment.end_proposed_to,
    )
    return assignment


@transaction.atomic
def category_from_lead(
    *,
    by: User,
    child: Child,
    category: str,
    basis: str,
    proposed_by: User,
    verified_by: User,
    note: str = "",
    effective_from: date,
    today: date | None = None,
) -> CategoryAssignment:
    """Start a category decided through an approved screening lead: the lead's field check
    counts as the proposal, its review as the verification, and `by` (the lead's approver)
    approves. An open assignment already there is taken on from its current step."""
    today = today or timezone.localdate()
    current = (
        child.categories.filter(category=category).exclude(status=CategoryStatus.ENDED).first()
    )
    if current is None:
        current = category_propose(
            by=by, child=child, category=category, basis=basis, today=today, _proposer=proposed_by
        )
    if current.status == CategoryStatus.CANDIDATE:
        verifier = next(
            (u for u in (verified_by, proposed_by) if u.pk not in (current.proposed_by_id, by.pk)),
            None,
        )
        if verifier is None:
            raise NotAllowed(_("提出、核实和审批须由三个不同的人完成。"))
        category_verify(by=by, assignment=current, note=note, _verifier=verifier)
    return category_approve(by=by, assignment=current, effective_from=effective_from, today=today)


@transaction.atomic
def category_end_from_lead(
    *,
    by: User,
    assignment: CategoryAssignment,
    proposed_by: User,
    reason: str,
    effective_to: date,
    today: date | None = None,
) -> CategoryAssignment:
    """End a category through an approved screening lead: the lead's reviewer (or verifier)
    proposed it, `by` (the approver) confirms. A candidate or verified one is rejected."""
    if assignment.status != CategoryStatus.APPROVED:
        return category_end(
            by=by, assignment=assignment, reason=reason, effective_to=effective_to, today=today
        )
    if assignment.end_proposed_at is None:
        category_end_propose(
            by=by,
            assignment=assignment,
            reason=reason,
            effective_to=effective_to,
            today=today,
            _proposer=proposed_by,
        )
    return category_end_confirm(by=by, assignment=assignment, today=today)


@transaction.atomic
def dfuc_end_superseded(
    *,
    by: User,
    assignment: CategoryAssignment,
    orphan: CategoryAssignment,
    proposed_by: User | None = None,
    today: date | None = None,
) -> CategoryAssignment:
    """End a child's open DFUC assignment because the orphan category of the same child was
    just approved ("a child who is an orphan is not also DFUC", 民发〔2019〕62号): the one entry
    point for it, called inside the approval of the orphan category (a screening lead's), so
    that the child never holds both. It ends on the day the orphan category takes effect (never
    before the DFUC one took effect)."""
    today = today or timezone.localdate()
    if assignment.category != Category.DFUC or orphan.category != Category.ORPHAN:
        raise DomainError(_("只有孤儿认定可以取代事实无人抚养儿童认定。"))
    if assignment.child_id != orphan.child_id or orphan.status != CategoryStatus.APPROVED:
        raise DomainError(_("孤儿认定尚未批准，不能终止事实无人抚养儿童认定。"))
    if assignment.status == CategoryStatus.ENDED:
        raise InvalidTransition(_("该认定已终止。"))
    require(by, "category.approve")
    archives.check_children(by, assignment.child_id)
    reason = _("认定为孤儿（孤儿不同时认定为事实无人抚养儿童）")
    effective_to = None
    if assignment.effective_from:
        effective_to = max(orphan.effective_from or today, assignment.effective_from)
    if assignment.status == CategoryStatus.APPROVED:
        # Four eyes hold here too: the lead's reviewer (the orphan category's verifier) proposes
        # the end and `by`, the approver, confirms it.
        if assignment.end_proposed_at is None:
            category_end_propose(
                by=by,
                assignment=assignment,
                reason=str(reason),
                effective_to=effective_to,
                today=today,
                _proposer=proposed_by or orphan.verified_by,
            )
        if assignment.end_proposed_by_id == by.pk:
            raise NotAllowed(_("终止须由另一人确认：您是终止的提出人。"))
        effective_to = assignment.end_proposed_to
    _end(by, assignment, reason=reason, effective_to=effective_to, superseded_by=orphan.pk)
    return assignment


def _audit_category(by: User, assignment: CategoryAssignment, step: str, **extra: Any) -> None:
    audit_child(
        by=by,
        child=assignment.child,
        category=assignment.category,
        step=step,
        assignment=assignment.pk,
        **extra,
    )


# --- Documents ----------------------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *,
    by: User,
    child: Child,
    kind: str,
    title: str,
    upload: UploadedFile,
    capability: str = "registry.edit",
) -> Document:
    """Attach a file; `capability` lets another service (a visit's photos) admit its own role."""
    require(by, capability)
    archives.check_children(by, child.pk)
    extension, content_type = uploads.check_upload(upload)
    name = upload.name or ""  # check_upload refused a file without a name and extension
    document = Document(
        child=child,
        kind=kind,
        title=title.strip() or name,
        original_name=name[:200],
        extension=extension,
        content_type=content_type,
        size=upload.size or 0,
        sha256=uploads.sha256_of(upload),
        uploaded_by=by,
    )
    uploads.store(document, upload)
    audit_child(
        by=by, child=child, action=AuditAction.CREATE, document=document.pk, title=document.title
    )
    return document


def document_open(*, by: User, document: Document) -> IO[bytes]:
    """The file to stream to a user who may see the child; records the download."""
    archives.check_children(by, document.child_id)
    audit_child(by=by, child=document.child, action=AuditAction.DOWNLOAD, document=document.pk)
    return document.file.open("rb")
