"""The leads workflow (线索): field check by the child director, review by the supervisor,
decision by the bureau. Every function is keyword-only, one transaction, audited, and claims the
lead's status with a conditional UPDATE so that two people can never take the same step.

new ──verify──▶ verified ──review──▶ reviewed ──approve──▶ approved
  └──────────────────┴─────────reject (with a reason)──────────┴──▶ rejected

A child who is not in the registry yet (the population feed is where new ones are found) is
registered AT verification, in the same transaction, from the lead's facts as the director
corrected them on the form: a verified lead always has an archive, and a refused registration
(invalid ID number, an adult, a community outside the user's area) leaves nothing behind — no
archive without a verified lead, no verified lead without an archive. The visit's documents are
attached to that archive. Approval then acts on the registry through its own services (category
propose → verify → approve, or end; the scholarship and 金秋助学 lists), inside the approval's
transaction: a refusal there leaves the lead waiting for a decision and nothing half-saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.benefits.students import services as benefits
from huhang.core import facts, scope
from huhang.core.access import claim, require
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.regions.models import Division
from huhang.registry import services as registry
from huhang.registry.models import (
    Category,
    CategoryAssignment,
    CategoryStatus,
    Child,
    ChildStatus,
    DocumentKind,
)
from huhang.registry.selectors import audit_child
from huhang.screening.leads.evidence import evidence_dates, evidence_school, evidence_text
from huhang.screening.leads.selectors import audit_lead
from huhang.screening.models import ENDING_KINDS, NOTICE_KINDS, Lead, LeadKind, LeadStatus

if TYPE_CHECKING:
    from huhang.accounts.models import User

STARTING_CATEGORIES = frozenset(c.value for c in Category)
# What an ending lead does to the archive itself besides ending its categories.
ENDING_CHILD_STATUS: dict[str, str] = {
    LeadKind.TURNED_18: ChildStatus.AGED_OUT,
    LeadKind.DECEASED: ChildStatus.DECEASED,
    LeadKind.MOVED_OUT: ChildStatus.TRANSFERRED,
}
# The step each open status waits for, and who may reject it there.
STEP_CAPABILITY: dict[str, str] = {
    LeadStatus.NEW: "lead.verify",
    LeadStatus.VERIFIED: "lead.review",
    LeadStatus.REVIEWED: "lead.approve",
}


def _in_scope(user: User, lead: Lead) -> None:
    # Views come through lead_for_user already; a service called from elsewhere must not act on
    # a lead outside the user's area either.
    if not scope.visible(user, Lead).filter(pk=lead.pk).exists():
        raise NotAllowed(_("该线索不在您的管辖范围内。"))


def _claim(lead: Lead, expected: str, version: int | None, **fields: Any) -> None:
    """Move the lead on only if it is still in the expected status (and, when the form carried
    it, still the version the user saw). Of two people taking the same step on the same lead,
    exactly one UPDATE matches; the other is refused before anything else is written."""
    match = Lead.objects.filter(pk=lead.pk, status=expected)
    if version is not None:
        match = match.filter(version=version)
    claim(
        match,
        refusal=_("该线索已被他人处理或已更改，请刷新页面后再操作。"),
        version=F("version") + 1,
        **fields,
    )


def _done(lead: Lead, **fields: Any) -> None:
    """Bring the caller's object up to date, once everything of the step has succeeded (after
    a refusal the object still shows the lead as it was: the transaction rolled back)."""
    for key, value in fields.items():
        setattr(lead, key, value)
    lead.version = Lead.objects.values_list("version", flat=True).get(pk=lead.pk)


def _step(
    *,
    by: User,
    lead: Lead,
    expected: str,
    version: int | None,
    audit: dict[str, Any],
    **fields: Any,
) -> Lead:
    """A step that changes nothing but the lead: claim it, update the caller's object, audit."""
    _claim(lead, expected, version, **fields)
    _done(lead, **fields)
    audit_lead(by=by, lead=lead, **audit)
    return lead


# Who took each step of a lead, when, and with what note (an approval and a rejection are both
# the decision).
_STEP_FIELDS: dict[str, tuple[str, str, str]] = {
    LeadStatus.VERIFIED: ("verified_by", "verified_at", "verify_note"),
    LeadStatus.REVIEWED: ("reviewed_by", "reviewed_at", "review_note"),
    LeadStatus.APPROVED: ("decided_by", "decided_at", "decision_note"),
    LeadStatus.REJECTED: ("decided_by", "decided_at", "reject_reason"),
}


def _moved_to(status: str, *, by: User, note: str) -> dict[str, Any]:
    """The fields a step writes on the lead: its new status, who, when, the note."""
    by_field, at_field, note_field = _STEP_FIELDS[status]
    return {"status": status, by_field: by, at_field: timezone.now(), note_field: note.strip()}


def _expect(lead: Lead, status: str, message: str) -> None:
    if lead.status != status:
        raise InvalidTransition(message)


def _other_hands(by: User, *earlier_ids: int | None) -> None:
    """Four eyes: whoever verified a lead does not review it, and whoever verified or reviewed
    it does not approve it (also a check constraint on the table)."""
    if by.pk in earlier_ids:
        raise NotAllowed(_("核实、复核和审批须由不同的人完成：您已处理过该线索的上一环节。"))


# --- Verification (the director's field check) -------------------------------------------------


@transaction.atomic
def lead_verify(
    *,
    by: User,
    lead: Lead,
    note: str,
    documents: Iterable[UploadedFile] = (),
    register: dict[str, Any] | None = None,
    version: int | None = None,
) -> Lead:
    """Record the field check: the visit note, the documents (attached to the child's archive).
    A child not yet registered is registered now from `register` (name, sex, birth_date,
    id_number, division, and optional archive fields), which defaults to the lead's facts."""
    require(by, "lead.verify")
    _in_scope(by, lead)
    _expect(lead, LeadStatus.NEW, _("只有待核实的线索可以核实。"))
    if not note.strip():
        raise DomainError(_("请填写核实情况（走访了解到的情况）。"), field="note")
    fields = _moved_to(LeadStatus.VERIFIED, by=by, note=note)
    _claim(lead, LeadStatus.NEW, version, **fields)
    child = lead.child
    if child is None:
        child = _register(by=by, lead=lead, facts=register or {})
        # Every lead of this person waiting without an archive now points to it (set-based),
        # and this one is routed to the community the child was registered in. No state
        # condition: the row is ours since the claim above, locked until the commit.
        Lead.objects.filter(person_key=lead.person_key, child__isnull=True).update(child=child)
        Lead.objects.filter(pk=lead.pk).update(division=child.division)
        fields |= {"child": child, "division": child.division}
    attached = [
        registry.document_upload(
            by=by,
            child=child,
            kind=DocumentKind.CERTIFICATE,
            title=_("线索核实材料（线索 #%(id)s）") % {"id": lead.pk},
            upload=upload,
            capability="lead.verify",
        ).pk
        for upload in documents
    ]
    lead.verify_documents.add(*attached)
    _done(lead, **fields)
    audit_lead(by=by, lead=lead, step="verified", registered="child" in fields, documents=attached)
    return lead


def _register(*, by: User, lead: Lead, facts: dict[str, Any]) -> Child:
    if lead.kind in ENDING_KINDS:
        raise DomainError(
            _("该儿童尚未建档，没有可终止的认定。请退回此线索并说明理由。"),
        )
    if lead.kind == LeadKind.SCHOLARSHIP:
        raise DomainError(
            _(
                "该学生没有儿童档案，无法核实其年满18周岁前的孤儿或事实无人抚养儿童认定。"
                "请退回此线索并说明理由。"
            )
        )
    data = {
        "name": lead.name,
        "sex": lead.sex,
        "birth_date": lead.birth_date,
        "id_number": lead.id_number or None,
        "division": lead.division,
        **facts,
    }
    if not data["sex"] or not data["birth_date"]:
        raise DomainError(_("建档须填写儿童的性别和出生日期。"), field="birth_date")
    division = data["division"]
    if not isinstance(division, Division):
        division = Division.objects.filter(pk=division).first()
        if division is None:
            raise DomainError(_("请选择儿童所属的社区或村。"), field="division")
        data["division"] = division
    # One archive per child: the child's archive when it exists (same ID number; else the
    # same name, birth date, sex and community, 户籍地 not disagreeing), else a new one with
    # the archives that may be the same child sent to the bureau's review.
    child, _created = registry.child_find_or_register(by=by, **data)
    return child


# --- Review and decision -----------------------------------------------------------------------


@transaction.atomic
def lead_review(*, by: User, lead: Lead, note: str = "", version: int | None = None) -> Lead:
    """The supervisor's review of a verified lead (opinion optional)."""
    require(by, "lead.review")
    _in_scope(by, lead)
    _expect(lead, LeadStatus.VERIFIED, _("只有已核实的线索可以复核。"))
    _other_hands(by, lead.verified_by_id)
    return _step(
        by=by,
        lead=lead,
        expected=LeadStatus.VERIFIED,
        version=version,
        audit={"step": "reviewed"},
        **_moved_to(LeadStatus.REVIEWED, by=by, note=note),
    )


@transaction.atomic
def lead_reject(*, by: User, lead: Lead, reason: str, version: int | None = None) -> Lead:
    """Close a lead without acting on it, at any step before approval, by whoever holds that
    step (a director after the visit, the supervisor at review, the bureau at any time)."""
    if lead.status not in STEP_CAPABILITY:
        raise InvalidTransition(_("该线索已办结，不能退回。"))
    require(by, STEP_CAPABILITY[lead.status])
    _in_scope(by, lead)
    if not reason.strip():
        raise DomainError(_("退回线索须填写理由。"), field="reason")
    return _step(
        by=by,
        lead=lead,
        expected=lead.status,
        version=version,
        audit={"step": "rejected", "reason": reason.strip()},
        **_moved_to(LeadStatus.REJECTED, by=by, note=reason),
    )


@transaction.atomic
def lead_approve(
    *,
    by: User,
    lead: Lead,
    note: str = "",
    version: int | None = None,
    today: date | None = None,
) -> Lead:
    """The bureau's decision: start or end the category in the registry, or put the student on
    the scholarship or 金秋助学 list. One transaction: if the registry refuses, nothing changes."""
    require(by, "lead.approve")
    _in_scope(by, lead)
    _expect(lead, LeadStatus.REVIEWED, _("只有已复核的线索可以审批。"))
    _other_hands(by, lead.verified_by_id, lead.reviewed_by_id)
    today = today or timezone.localdate()
    fields = _moved_to(LeadStatus.APPROVED, by=by, note=note)
    _claim(lead, LeadStatus.REVIEWED, version, **fields)
    if lead.child_id is None:
        raise DomainError(_("该线索没有对应的儿童档案，无法批准。请退回并说明理由。"))
    child = Child.objects.select_related("person").get(pk=lead.child_id)
    try:
        assignment = _apply(by=by, lead=lead, child=child, today=today)
    except InvalidTransition:
        raise
    except DomainError as exc:
        raise DomainError(
            _("未能批准，线索仍待审批：%(reason)s") % {"reason": exc.message}
        ) from exc
    if assignment is not None:
        # The row is ours since the claim above (locked until the commit).
        Lead.objects.filter(pk=lead.pk).update(assignment=assignment)
        fields["assignment"] = assignment
    _done(lead, **fields)
    audit_lead(by=by, lead=lead, step="approved", assignment=assignment.pk if assignment else None)
    return lead


def _apply(*, by: User, lead: Lead, child: Child, today: date) -> CategoryAssignment | None:
    if lead.kind == LeadKind.SCHOLARSHIP:
        benefits.scholarship_enrol(
            by=by,
            child=child,
            school_year=facts.school_year_start(today).year,
            school=evidence_school(lead),
            note=_("精准排查线索 #%(id)s") % {"id": lead.pk},
        )
        return None
    if lead.kind == LeadKind.AUTUMN_AID:
        benefits.autumn_aid_enrol(
            by=by,
            child=child,
            month=today.replace(day=1),
            school=evidence_school(lead),
            note=_("精准排查线索 #%(id)s") % {"id": lead.pk},
        )
        return None
    if lead.kind in NOTICE_KINDS:
        # A review of missing parents, a referral to the 户籍地: the decision is the lead's own
        # (recorded and audited); a category, if the check finds one, is proposed in the archive.
        return None
    if lead.kind in ENDING_KINDS:
        return _end(by=by, lead=lead, child=child, today=today)
    return _start(by=by, lead=lead, child=child, today=today)


def _start(*, by: User, lead: Lead, child: Child, today: date) -> CategoryAssignment:
    category = lead.category or lead.kind
    if category not in STARTING_CATEGORIES:
        raise DomainError(_("线索的类别无效：%(c)s") % {"c": category})
    label = Category(category).label
    open_ones = {a.category: a for a in child.categories.exclude(status=CategoryStatus.ENDED)}
    if category == Category.DFUC and _approved(open_ones, Category.ORPHAN):
        raise DomainError(_("该儿童已被认定为孤儿，孤儿不同时认定为事实无人抚养儿童。"))
    current = open_ones.get(category)
    if current is not None and current.status == CategoryStatus.APPROVED:
        raise DomainError(_("该儿童已被认定为%(c)s，无需重复认定。") % {"c": label})
    note = lead.verify_note
    if lead.review_note:
        note = f"{note}\n{lead.review_note}"
    # Four eyes: the lead's field check is the proposal, its review the verification, and the
    # approver of the lead approves the category (three different people, as the lead was).
    verifier, reviewer = _lead_people(lead)
    current = registry.category_from_lead(
        by=by,
        child=child,
        category=category,
        basis=evidence_text(lead),
        proposed_by=verifier,
        verified_by=reviewer,
        note=note,
        effective_from=today,
        today=today,
    )
    if category == Category.ORPHAN and Category.DFUC in open_ones:
        # An orphan is not also DFUC (DOMAIN.md; 民发〔2019〕62号): the DFUC assignment ends in
        # the same approval, through the registry's one entry point for it (the lead's reviewer
        # proposes the end, its approver confirms it).
        registry.dfuc_end_superseded(
            by=by,
            assignment=open_ones[Category.DFUC],
            orphan=current,
            proposed_by=reviewer,
            today=today,
        )
    return current


def _lead_people(lead: Lead) -> tuple[User, User]:
    """Who verified and who reviewed the lead (both set once a lead is reviewed)."""
    verifier, reviewer = lead.verified_by, lead.reviewed_by
    if verifier is None or reviewer is None:
        raise DomainError(_("该线索缺少核实人或复核人，无法据此认定类别。"))
    return verifier, reviewer


def _approved(open_ones: dict[str, CategoryAssignment], category: str) -> bool:
    found = open_ones.get(category)
    return found is not None and found.status == CategoryStatus.APPROVED


def _end(*, by: User, lead: Lead, child: Child, today: date) -> CategoryAssignment:
    open_ones = child.categories.exclude(status=CategoryStatus.ENDED).order_by("pk")
    if lead.category:
        open_ones = open_ones.filter(category=lead.category)
    targets = list(open_ones)
    if not targets:
        raise DomainError(_("该儿童没有可终止的类别认定。请退回此线索并说明理由。"))
    reason = _("%(kind)s（精准排查线索 #%(id)s）") % {
        "kind": lead.get_kind_display(),
        "id": lead.pk,
    }
    ended_on = _ended_on(lead, child, today)
    reviewer = _lead_people(lead)[1]
    for assignment in targets:
        effective_to = ended_on
        if assignment.effective_from and effective_to < assignment.effective_from:
            effective_to = assignment.effective_from
        registry.category_end_from_lead(
            by=by,
            assignment=assignment,
            proposed_by=reviewer,
            reason=reason,
            effective_to=effective_to,
            today=today,
        )
    status = ENDING_CHILD_STATUS.get(lead.kind)
    if status is not None:
        # Set whatever the archive's status was (a death recorded after a move still counts);
        # the lead's claim makes this run once per lead.
        Child.objects.filter(pk=child.pk).update(status=status, version=F("version") + 1)
        audit_child(by=by, child=child, status=status, lead=lead.pk)
    return targets[-1]


def _ended_on(lead: Lead, child: Child, today: date) -> date:
    """The day the category ends: the 18th birthday, or the latest date of the evidence (the
    death, the adoption, the move, the end of the parent's situation) — not the day of the
    decision, so that the guarantee funds stop when the entitlement did. Never after today."""
    if lead.kind == LeadKind.TURNED_18:
        day = facts.adult_on(child.person.birth_date)
    elif lead.kind == LeadKind.TURNED_16:
        day = facts.birthday(child.person.birth_date, facts.LEFT_BEHIND_AGE)
    elif lead.kind == LeadKind.REVIEW:
        # No date in the feeds says when the ground went: the day of the decision.
        day = today
    else:
        dates = [d for d in evidence_dates(lead) if d <= today]
        day = max(dates) if dates else today
    return min(day, today)
