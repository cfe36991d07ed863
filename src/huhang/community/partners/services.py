"""Writes of the partners and their charity resources: partner profiles, contacts, agreements;
resources, the proposed list of children (matching), its confirmation and the resource's close.

A resource's list changes under the resource's row lock (propose, confirm) or behind a claim of
its status (close), so two people working on the same list see each other's result, not a mix."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.accounts.models import Organisation, User
from huhang.community.models import (
    Agreement,
    Allocation,
    AllocationStatus,
    PartnerContact,
    PartnerProfile,
    Resource,
    ResourceStatus,
)
from huhang.community.partners.selectors import matching_children
from huhang.community.services import check_within, file_store
from huhang.core import scope
from huhang.core.access import claim, require
from huhang.core.audit import audit_object, audit_record_many
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.models import AuditAction
from huhang.core.roles import Role
from huhang.core.validation import check_period, create_checked
from huhang.regions.models import Division
from huhang.registry.models import Child
from huhang.registry.selectors import child_label

# --- Partners ------------------------------------------------------------------------------------


@transaction.atomic
def partner_create(
    *,
    by: User,
    organisation: Organisation | None = None,
    name: str = "",
    kind: str = "",
    linked_on: date,
    description: str = "",
    contacts: Iterable[dict[str, str]] = (),
) -> PartnerProfile:
    """A partner profile for an existing organisation, or for a new one (name and kind)."""
    require(by, "partner.manage")
    if organisation is None:
        if not name.strip() or not kind:
            raise DomainError(_("请选择已有机构，或填写新机构的名称和类型。"), field="name")
        if Organisation.objects.filter(name=name.strip()).exists():
            raise DomainError(_("已有同名机构，请直接选择。"), field="name")
        organisation = create_checked(Organisation, name=name.strip(), kind=kind)
    if PartnerProfile.objects.filter(organisation=organisation).exists():
        raise DomainError(_("该机构已是合作伙伴。"), field="organisation")
    profile = create_checked(
        PartnerProfile,
        organisation=organisation,
        linked_on=linked_on,
        description=description,
        created_by=by,
    )
    PartnerContact.objects.bulk_create(
        PartnerContact(partner=profile, **contact) for contact in contacts
    )
    audit_object(by=by, action=AuditAction.CREATE, obj=profile)
    return profile


@transaction.atomic
def partner_contact_add(
    *, by: User, partner: PartnerProfile, name: str, position: str = "", phone: str = ""
) -> PartnerContact:
    require(by, "partner.manage")
    scope.get(by, PartnerProfile, partner.pk)
    contact = create_checked(
        PartnerContact, partner=partner, name=name, position=position, phone=phone
    )
    audit_object(by=by, action=AuditAction.CHANGE, obj=partner, contact=name)
    return contact


@transaction.atomic
def agreement_add(
    *,
    by: User,
    partner: PartnerProfile,
    title: str,
    signed_on: date,
    starts_on: date,
    ends_on: date | None = None,
    upload: UploadedFile | None = None,
) -> Agreement:
    require(by, "partner.manage")
    scope.get(by, PartnerProfile, partner.pk)
    check_period(starts_on, ends_on, _("协议终止日期不能早于起始日期。"), field="ends_on")
    agreement = Agreement(
        partner=partner,
        title=title,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    if upload is None:
        agreement.full_clean()
        agreement.save()
    else:
        file_store(obj=agreement, upload=upload, images_only=False)
    audit_object(by=by, action=AuditAction.CREATE, obj=partner, agreement=agreement.pk)
    return agreement


# --- Resources and matching ----------------------------------------------------------------------


@transaction.atomic
def resource_create(
    *,
    by: User,
    partner: Organisation,
    kind: str,
    title: str,
    quantity: int,
    available_on: date,
    amount_fen: int = 0,
    per_child: str = "",
    available_until: date | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    categories: Iterable[str] = (),
    divisions: Iterable[Division] = (),
    conditions: str = "",
) -> Resource:
    require(by, "resource.manage")
    if by.role == Role.PARTNER and partner.pk != by.organisation_id:
        raise NotAllowed(_("只能登记本机构提供的资源。"))
    resource = create_checked(
        Resource,
        partner=partner,
        kind=kind,
        title=title,
        quantity=quantity,
        amount_fen=amount_fen,
        per_child=per_child,
        available_on=available_on,
        available_until=available_until,
        min_age=min_age,
        max_age=max_age,
        categories=sorted(set(categories)),
        conditions=conditions,
        created_by=by,
    )
    resource.divisions.set(divisions)
    audit_object(by=by, action=AuditAction.CREATE, obj=resource)
    return resource


def _open(resource: Resource) -> QuerySet[Resource]:
    """The resource's row while it is not closed: what every change of its list claims."""
    return Resource.objects.filter(pk=resource.pk).exclude(status=ResourceStatus.CLOSED)


@transaction.atomic
def resource_propose(*, by: User, resource: Resource) -> int:
    """(Re)build the proposed list; confirmed lines stay. Returns the number proposed."""
    require(by, "resource.match")
    scope.get(by, Resource, resource.pk)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status == ResourceStatus.CLOSED:
        raise InvalidTransition(_("资源已关闭，不能再匹配。"))
    # The list is rebuilt for the user's children only: a street's proposal replaces its own
    # street's lines, never those another street or the bureau proposed.
    Allocation.objects.filter(
        resource=resource,
        status=AllocationStatus.PROPOSED,
        child__in=scope.visible(by, Child),
    ).delete()
    rows = list(matching_children(user=by, resource=resource))
    Allocation.objects.bulk_create(
        Allocation(resource=resource, child=child, rank=i, proposed_by=by)
        for i, child in enumerate(rows, start=1)
    )
    if rows:
        claim(
            _open(resource), refusal=_("资源已关闭，不能再匹配。"), status=ResourceStatus.PROPOSED
        )
    # Being put on a list is a use of the child's data: one event per child.
    audit_record_many(
        by=by,
        action=AuditAction.SEARCH,
        object_type="child",
        objects=((c.pk, child_label(c)) for c in rows),
    )
    audit_object(by=by, action=AuditAction.CHANGE, obj=resource, proposed=len(rows))
    return len(rows)


@transaction.atomic
def resource_confirm(
    *, by: User, resource: Resource, keep: set[int], received_on: date | None = None
) -> int:
    """Confirm the proposed children whose allocation ids are in `keep` (the rest of the user's
    proposed children are removed; other streets' lines stay as they are): each confirmed line
    records what the child received. Returns the number confirmed. An id of a line whose child
    the user may not see is refused, and nothing is confirmed."""
    require(by, "resource.match")
    scope.get(by, Resource, resource.pk)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    received_on = received_on or timezone.localdate()
    mine = Allocation.objects.filter(resource=resource, child__in=scope.visible(by, Child))
    check_within(keep, mine, message=_("名单中有不在您辖区内的儿童，未作任何确认。"))
    proposed = mine.filter(status=AllocationStatus.PROPOSED)
    chosen = list(proposed.filter(pk__in=keep).select_related("child__person"))
    if not chosen:
        raise DomainError(_("请至少保留一名儿童。"))
    confirmed = resource.allocations.filter(status=AllocationStatus.CONFIRMED).count()
    if confirmed + len(chosen) > resource.quantity:
        raise DomainError(
            _("超出资源数量：共 %(q)d 份，已确认 %(c)d 份，本次选择 %(n)d 名。")
            % {"q": resource.quantity, "c": confirmed, "n": len(chosen)}
        )
    # Each line must still be proposed when it is confirmed: a list rebuilt or closed by
    # someone else since it was read refuses the whole confirmation (and the transaction
    # undoes it), where a blind UPDATE would confirm nothing and report success.
    ids = [a.pk for a in chosen]
    changed = Allocation.objects.filter(pk__in=ids, status=AllocationStatus.PROPOSED).update(
        status=AllocationStatus.CONFIRMED,
        confirmed_by=by,
        confirmed_at=timezone.now(),
        received_on=received_on,
        amount_fen=resource.amount_fen,
    )
    if changed != len(ids):
        raise InvalidTransition(_("该匹配已由他人处理，请刷新后查看。"))
    proposed.exclude(pk__in=ids).delete()
    claim(_open(resource), refusal=_("资源已关闭。"), status=ResourceStatus.CONFIRMED)
    audit_record_many(
        by=by,
        action=AuditAction.CHANGE,
        object_type="child",
        objects=((a.child_id, child_label(a.child)) for a in chosen),
    )
    audit_object(by=by, action=AuditAction.CHANGE, obj=resource, confirmed=len(chosen))
    return len(chosen)


@transaction.atomic
def resource_close(*, by: User, resource: Resource) -> Resource:
    """Close the resource and drop its proposed lines; confirmed lines (received) stay. Once."""
    require(by, "resource.manage")
    scope.get(by, Resource, resource.pk)
    # Claimed first: the row lock this takes waits for a propose or confirm in flight.
    claim(_open(resource), refusal=_("资源已关闭。"), status=ResourceStatus.CLOSED)
    Allocation.objects.filter(resource=resource, status=AllocationStatus.PROPOSED).delete()
    resource.status = ResourceStatus.CLOSED
    audit_object(by=by, action=AuditAction.CHANGE, obj=resource, status="closed")
    return resource
