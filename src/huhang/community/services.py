"""Every write of the community app: keyword-only, one transaction each, audited, refusing with
domain exceptions. Visibility of the records passed in is the caller's (core.scope) business;
children passed in must come from `scope.visible(by, Child)`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.accounts.models import Organisation
from huhang.community import eligibility
from huhang.community.models import (
    Activity,
    ActivityPhoto,
    Agreement,
    Allocation,
    AllocationStatus,
    Enrolment,
    PartnerContact,
    PartnerProfile,
    ProjectTarget,
    Resource,
    ResourceStatus,
    Training,
    TrainingAttendance,
    Workstation,
)
from huhang.core import scope, uploads
from huhang.core.access import require
from huhang.core.audit import audit_record, audit_record_many
from huhang.core.exceptions import DomainError, InvalidTransition, NotAllowed
from huhang.core.models import AuditAction
from huhang.core.roles import Role
from huhang.regions.models import Division
from huhang.registry.models import ALLOWANCE_CATEGORIES, Child
from huhang.registry.selectors import audit_child, child_label


def _audit(by, action, obj, **detail) -> None:
    audit_record(
        by=by,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        label=str(obj),
        detail=detail or None,
    )


def _stored_file(upload: UploadedFile, *, images_only: bool) -> tuple[str, str, str]:
    """Checked by content like the archive's documents; returns (extension, type, sha256)."""
    extension, content_type = uploads.check_upload(upload)
    if images_only and extension not in uploads.IMAGE_TYPES:
        raise DomainError(_("活动照片只能是 JPG、PNG 或 WEBP 图片。"), field="file")
    return extension, content_type, uploads.sha256_of(upload)


def _save_with_file(obj, upload: UploadedFile) -> None:
    obj.file.save(upload.name, upload, save=False)
    # If the row cannot be written, the stored file must not stay behind unreferenced.
    try:
        obj.save()
    except Exception:
        obj.file.delete(save=False)
        raise


# --- Workstations ------------------------------------------------------------------------------

STATION_FIELDS = (
    "name",
    "level",
    "division",
    "address",
    "brand",
    "brand_story",
    "opening_hours",
    "phone",
    "rooms",
    "volunteers",
)


def _check_station_division(by, division) -> None:
    if not scope.visible(by, Division).filter(pk=division.pk).exists():
        raise DomainError(_("只能在本辖区内设立工作站。"), field="division")


@transaction.atomic
def station_create(*, by, staff=(), **fields) -> Workstation:
    require(by, "station.manage")
    _check_station_division(by, fields["division"])
    station = Workstation(**{k: fields.get(k, "") for k in STATION_FIELDS})
    station.full_clean()
    station.save()
    station.staff.set(staff)
    _audit(by, AuditAction.CREATE, station)
    return station


@transaction.atomic
def station_update(*, by, station: Workstation, staff=None, **fields) -> Workstation:
    require(by, "station.manage")
    if "division" in fields:
        _check_station_division(by, fields["division"])
    for key in STATION_FIELDS:
        if key in fields:
            setattr(station, key, fields[key])
    station.full_clean()
    station.save()
    if staff is not None:
        station.staff.set(staff)
    _audit(by, AuditAction.CHANGE, station)
    return station


# --- Activities ----------------------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    by,
    station: Workstation,
    title: str,
    kind: str,
    held_on: date,
    capacity: int,
    ends_on: date | None = None,
    place: str = "",
    min_age: int | None = None,
    max_age: int | None = None,
    categories=(),
    organisers=(),
    partners=(),
    project=None,
    summary: str = "",
) -> Activity:
    require(by, "activity.manage")
    if not scope.visible(by, Workstation, "host").filter(pk=station.pk).exists():
        raise DomainError(_("不能在该工作站登记活动。"), field="station")
    activity = Activity(
        station=station,
        title=title,
        kind=kind,
        held_on=held_on,
        ends_on=ends_on,
        place=place,
        capacity=capacity,
        min_age=min_age,
        max_age=max_age,
        categories=sorted(set(categories)),
        project=project,
        summary=summary,
        created_by=by,
    )
    activity.full_clean()
    activity.save()
    organisers = {u.pk for u in organisers} | {by.pk}
    activity.organisers.set(organisers)
    partner_ids = {o.pk for o in partners}
    if by.role == Role.PARTNER:
        # A partner's activity is its organisation's: that is what keeps it in its scope.
        partner_ids.add(by.organisation_id)
    activity.partners.set(partner_ids)
    _audit(by, AuditAction.CREATE, activity)
    return activity


@transaction.atomic
def activity_summarise(*, by, activity: Activity, summary: str) -> Activity:
    require(by, "activity.manage")
    activity.summary = summary.strip()
    activity.save(update_fields=["summary"])
    _audit(by, AuditAction.CHANGE, activity, field="summary")
    return activity


def child_is_eligible(*, activity: Activity, child: Child) -> bool:
    return (
        eligibility.eligible(
            Child.objects.filter(pk=child.pk),
            on=activity.held_on,
            min_age=activity.min_age,
            max_age=activity.max_age,
            categories=activity.categories,
        )
    ).exists()


@transaction.atomic
def enrolment_add(*, by, activity: Activity, child: Child, reason: str = "") -> Enrolment:
    """Enrol a child the user may see. Refused over capacity; an ineligible child only with a
    reason, which is recorded."""
    require(by, "registry.edit")
    # The activity row is locked so two people enrolling the last place cannot both succeed.
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if Enrolment.objects.filter(activity=locked, child=child).exists():
        raise DomainError(_("该儿童已报名此活动。"))
    taken = Enrolment.objects.filter(activity=locked).count()
    if taken >= locked.capacity:
        raise DomainError(
            _("活动名额已满（共 %(n)d 个名额），不能再报名。") % {"n": locked.capacity}
        )
    is_eligible = child_is_eligible(activity=locked, child=child)
    reason = reason.strip()
    if not is_eligible and not reason:
        raise DomainError(
            _("该儿童不符合活动条件（年龄或类别）；如确需参加，请填写破格报名理由。"),
            field="reason",
        )
    enrolment = Enrolment(
        activity=locked,
        child=child,
        eligible=is_eligible,
        exception_reason="" if is_eligible else reason,
        enrolled_by=by,
    )
    enrolment.full_clean()
    enrolment.save()
    detail = {"activity": locked.pk, "enrolled": True}
    if not is_eligible:
        detail["exception_reason"] = reason
    audit_child(by=by, child=child, **detail)
    return enrolment


@transaction.atomic
def enrolment_remove(*, by, enrolment: Enrolment) -> None:
    require(by, "registry.edit")
    if enrolment.attended is not None:
        raise InvalidTransition(_("已记录出席情况的报名不能取消。"))
    child, activity_id = enrolment.child, enrolment.activity_id
    enrolment.delete()
    audit_child(by=by, child=child, activity=activity_id, enrolled=False)


@transaction.atomic
def attendance_record(*, by, activity: Activity, present: set[int], today: date | None = None):
    """Mark who came (enrolment ids in `present`) and who did not; only once the day has come."""
    require(by, "activity.manage")
    today = today or timezone.localdate()
    if activity.held_on > today:
        raise DomainError(_("活动尚未举行，不能记录出席情况。"))
    enrolments = Enrolment.objects.filter(activity=activity)
    enrolments.filter(pk__in=present).update(attended=True)
    enrolments.exclude(pk__in=present).update(attended=False)
    rows = enrolments.select_related("child__person").order_by("pk")
    audit_record_many(
        by=by,
        action=AuditAction.CHANGE,
        object_type="child",
        objects=((e.child_id, child_label(e.child)) for e in rows),
    )


@transaction.atomic
def photo_upload(*, by, activity: Activity, upload: UploadedFile, caption: str = ""):
    require(by, "activity.manage")
    extension, content_type, digest = _stored_file(upload, images_only=True)
    photo = ActivityPhoto(
        activity=activity,
        caption=caption.strip(),
        extension=extension,
        content_type=content_type,
        size=upload.size,
        sha256=digest,
        uploaded_by=by,
    )
    photo.full_clean(exclude=["file"])
    _save_with_file(photo, upload)
    _audit(by, AuditAction.CREATE, activity, photo=photo.pk)
    return photo


# --- Trainings -----------------------------------------------------------------------------------


def _refuse_future_attendance(held_on: date, attendees, today: date) -> None:
    if attendees and held_on > today:
        raise DomainError(
            _("培训日期 %(day)s 尚未到来，不能登记出席人员。") % {"day": held_on.isoformat()},
            field="attendees",
        )


@transaction.atomic
def training_create(
    *,
    by,
    topic: str,
    held_on: date,
    trainer: str,
    hours: Decimal,
    division,
    place: str = "",
    station=None,
    attendees=(),
    today: date | None = None,
) -> Training:
    require(by, "training.manage")
    today = today or timezone.localdate()
    if not scope.visible(by, Division).filter(pk=division.pk).exists():
        raise DomainError(_("只能为本辖区组织培训。"), field="division")
    attendees = list(attendees)
    _refuse_future_attendance(held_on, attendees, today)
    training = Training(
        topic=topic,
        held_on=held_on,
        trainer=trainer,
        hours=hours,
        place=place,
        division=division,
        station=station,
        created_by=by,
    )
    training.full_clean()
    training.save()
    _set_attendance(by, training, attendees)
    _audit(by, AuditAction.CREATE, training, attendees=len(attendees))
    return training


@transaction.atomic
def training_attendance_set(*, by, training: Training, attendees, today: date | None = None):
    require(by, "training.manage")
    today = today or timezone.localdate()
    attendees = list(attendees)
    _refuse_future_attendance(training.held_on, attendees, today)
    _set_attendance(by, training, attendees)
    _audit(by, AuditAction.CHANGE, training, attendees=len(attendees))
    return training


def _set_attendance(by, training: Training, attendees) -> None:
    wanted = {u.pk for u in attendees}
    TrainingAttendance.objects.filter(training=training).exclude(user_id__in=wanted).delete()
    have = set(
        TrainingAttendance.objects.filter(training=training).values_list("user_id", flat=True)
    )
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(training=training, user_id=pk, recorded_by=by)
        for pk in sorted(wanted - have)
    )


# --- Partners ------------------------------------------------------------------------------------


@transaction.atomic
def partner_create(
    *,
    by,
    organisation: Organisation | None = None,
    name: str = "",
    kind: str = "",
    linked_on: date,
    description: str = "",
    contacts=(),
) -> PartnerProfile:
    """A partner profile for an existing organisation, or for a new one (name and kind)."""
    require(by, "partner.manage")
    if organisation is None:
        if not name.strip() or not kind:
            raise DomainError(_("请选择已有机构，或填写新机构的名称和类型。"), field="name")
        if Organisation.objects.filter(name=name.strip()).exists():
            raise DomainError(_("已有同名机构，请直接选择。"), field="name")
        organisation = Organisation(name=name.strip(), kind=kind)
        organisation.full_clean()
        organisation.save()
    if PartnerProfile.objects.filter(organisation=organisation).exists():
        raise DomainError(_("该机构已是合作伙伴。"), field="organisation")
    profile = PartnerProfile(
        organisation=organisation, linked_on=linked_on, description=description, created_by=by
    )
    profile.full_clean()
    profile.save()
    PartnerContact.objects.bulk_create(
        PartnerContact(partner=profile, **contact) for contact in contacts
    )
    _audit(by, AuditAction.CREATE, profile)
    return profile


@transaction.atomic
def partner_contact_add(*, by, partner: PartnerProfile, name: str, position="", phone=""):
    require(by, "partner.manage")
    contact = PartnerContact(partner=partner, name=name, position=position, phone=phone)
    contact.full_clean()
    contact.save()
    _audit(by, AuditAction.CHANGE, partner, contact=name)
    return contact


@transaction.atomic
def agreement_add(
    *,
    by,
    partner: PartnerProfile,
    title: str,
    signed_on: date,
    starts_on: date,
    ends_on: date | None = None,
    upload: UploadedFile | None = None,
) -> Agreement:
    require(by, "partner.manage")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("协议终止日期不能早于起始日期。"), field="ends_on")
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
        agreement.extension, agreement.content_type, _digest = _stored_file(
            upload, images_only=False
        )
        agreement.full_clean(exclude=["file"])
        _save_with_file(agreement, upload)
    _audit(by, AuditAction.CREATE, partner, agreement=agreement.pk)
    return agreement


# --- Resources and matching ----------------------------------------------------------------------


@transaction.atomic
def resource_create(
    *,
    by,
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
    categories=(),
    divisions=(),
    conditions: str = "",
) -> Resource:
    require(by, "resource.manage")
    if by.role == Role.PARTNER and partner.pk != by.organisation_id:
        raise NotAllowed(_("只能登记本机构提供的资源。"))
    resource = Resource(
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
    resource.full_clean()
    resource.save()
    resource.divisions.set(divisions)
    _audit(by, AuditAction.CREATE, resource)
    return resource


def matching_children(*, by, resource: Resource):
    """Children the resource may go to, best first, limited to what is left of its quantity.

    Set-based: one query. Eligible = in the user's scope, in one of the resource's divisions
    (if any), of an approved category in effect and of the age band on the resource's date,
    and not already on this resource's list. Order: children who received least from charity
    so far first, then orphans and DFUC before other categories, then the older (closer to
    ageing out), then archive number — stable, explainable.
    """
    on = resource.available_on
    qs = eligibility.eligible(
        scope.visible(by, Child),
        on=on,
        min_age=resource.min_age,
        max_age=resource.max_age,
        categories=resource.categories,
    )
    division_codes = list(resource.divisions.values_list("code", flat=True))
    if division_codes:
        from huhang.regions.models import subtree_q

        area = Q()
        for code in division_codes:
            area |= subtree_q(code, "division_id")
        qs = qs.filter(area)
    already = Allocation.objects.filter(resource=resource, child_id=OuterRef("pk"))
    priority = eligibility.approved_category_on(on, ALLOWANCE_CATEGORIES)
    left = resource.quantity - resource.allocations.filter(status="confirmed").count()
    return (
        qs.exclude(Exists(already))
        .select_related("person", "division")
        .annotate(
            received=Count(
                "resource_allocations",
                filter=Q(resource_allocations__status=AllocationStatus.CONFIRMED),
            ),
            priority=priority,
        )
        .order_by("received", "-priority", "search_birth", "pk")[: max(left, 0)]
    )


@transaction.atomic
def resource_propose(*, by, resource: Resource) -> int:
    """(Re)build the proposed list; confirmed lines stay. Returns the number proposed."""
    require(by, "resource.match")
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.status == ResourceStatus.CLOSED:
        raise InvalidTransition(_("资源已关闭，不能再匹配。"))
    Allocation.objects.filter(resource=resource, status=AllocationStatus.PROPOSED).delete()
    rows = list(matching_children(by=by, resource=resource))
    Allocation.objects.bulk_create(
        Allocation(resource=resource, child=child, rank=i, proposed_by=by)
        for i, child in enumerate(rows, start=1)
    )
    if rows:
        resource.status = ResourceStatus.PROPOSED
        resource.save(update_fields=["status"])
    # Being put on a list is a use of the child's data: one event per child.
    audit_record_many(
        by=by,
        action=AuditAction.SEARCH,
        object_type="child",
        objects=((c.pk, child_label(c)) for c in rows),
    )
    _audit(by, AuditAction.CHANGE, resource, proposed=len(rows))
    return len(rows)


@transaction.atomic
def resource_confirm(
    *, by, resource: Resource, keep: set[int], received_on: date | None = None
) -> int:
    """Confirm the proposed children whose allocation ids are in `keep` (the rest are removed):
    each confirmed line records what the child received. Returns the number confirmed."""
    require(by, "resource.match")
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    received_on = received_on or timezone.localdate()
    proposed = Allocation.objects.filter(resource=resource, status=AllocationStatus.PROPOSED)
    # Only children the confirming user may see can be confirmed by it.
    visible = proposed.filter(pk__in=keep, child__in=scope.visible(by, Child))
    chosen = list(visible.select_related("child__person"))
    if not chosen:
        raise DomainError(_("请至少保留一名儿童。"))
    confirmed = resource.allocations.filter(status=AllocationStatus.CONFIRMED).count()
    if confirmed + len(chosen) > resource.quantity:
        raise DomainError(
            _("超出资源数量：共 %(q)d 份，已确认 %(c)d 份，本次选择 %(n)d 名。")
            % {"q": resource.quantity, "c": confirmed, "n": len(chosen)}
        )
    Allocation.objects.filter(pk__in=[a.pk for a in chosen]).update(
        status=AllocationStatus.CONFIRMED,
        confirmed_by=by,
        confirmed_at=timezone.now(),
        received_on=received_on,
        amount_fen=resource.amount_fen,
    )
    proposed.exclude(pk__in=[a.pk for a in chosen]).delete()
    resource.status = ResourceStatus.CONFIRMED
    resource.save(update_fields=["status"])
    audit_record_many(
        by=by,
        action=AuditAction.CHANGE,
        object_type="child",
        objects=((a.child_id, child_label(a.child)) for a in chosen),
    )
    _audit(by, AuditAction.CHANGE, resource, confirmed=len(chosen))
    return len(chosen)


@transaction.atomic
def resource_close(*, by, resource: Resource) -> Resource:
    require(by, "resource.manage")
    Allocation.objects.filter(resource=resource, status=AllocationStatus.PROPOSED).delete()
    resource.status = ResourceStatus.CLOSED
    resource.save(update_fields=["status"])
    _audit(by, AuditAction.CHANGE, resource, status="closed")
    return resource


# --- Purchased-service projects ------------------------------------------------------------------


@transaction.atomic
def project_target_set(
    *, by, project, target_activities: int, target_children: int, notes: str = ""
) -> ProjectTarget:
    require(by, "partner.manage")
    target, _created = ProjectTarget.objects.update_or_create(
        project=project,
        defaults={
            "target_activities": target_activities,
            "target_children": target_children,
            "notes": notes,
        },
    )
    _audit(by, AuditAction.CHANGE, project, target_activities=target_activities)
    return target
