"""Writes of the activities: register one, summarise it, enrol and unenrol children, take
attendance once it was held, upload photos."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.accounts.models import Organisation, User
from huhang.cases.models import ServiceProject
from huhang.community.activities.selectors import child_is_eligible
from huhang.community.models import Activity, ActivityPhoto, Enrolment, Workstation
from huhang.community.services import check_within, file_store
from huhang.core import scope, uploads
from huhang.core.access import require
from huhang.core.audit import audit_object, audit_record_many
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.models import AuditAction
from huhang.core.roles import Role
from huhang.core.validation import create_checked, in_scope
from huhang.registry.models import Child
from huhang.registry.selectors import audit_child, child_label


@transaction.atomic
def activity_create(
    *,
    by: User,
    station: Workstation,
    title: str,
    kind: str,
    held_on: date,
    capacity: int,
    ends_on: date | None = None,
    place: str = "",
    min_age: int | None = None,
    max_age: int | None = None,
    categories: Iterable[str] = (),
    organisers: Iterable[User] = (),
    partners: Iterable[Organisation] = (),
    project: ServiceProject | None = None,
    summary: str = "",
) -> Activity:
    require(by, "activity.manage")
    in_scope(by, station, _("不能在该工作站登记活动。"), field="station", purpose="host")
    if project is not None:
        in_scope(by, project, _("找不到该服务项目。"), field="project")
    activity = create_checked(
        Activity,
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
    activity.organisers.set({u.pk for u in organisers} | {by.pk})
    partner_ids = {o.pk for o in partners}
    if by.role == Role.PARTNER and by.organisation_id:
        # A partner's activity is its organisation's: that is what keeps it in its scope.
        partner_ids.add(by.organisation_id)
    activity.partners.set(partner_ids)
    audit_object(by=by, action=AuditAction.CREATE, obj=activity)
    return activity


@transaction.atomic
def activity_summarise(*, by: User, activity: Activity, summary: str) -> Activity:
    require(by, "activity.manage")
    scope.get(by, Activity, activity.pk)
    activity.summary = summary.strip()
    activity.save(update_fields=["summary"])
    audit_object(by=by, action=AuditAction.CHANGE, obj=activity, field="summary")
    return activity


@transaction.atomic
def enrolment_add(*, by: User, activity: Activity, child: Child, reason: str = "") -> Enrolment:
    """Enrol a child the user may see. Refused over capacity; an ineligible child only with a
    reason, which is recorded."""
    require(by, "registry.edit")
    scope.get(by, Activity, activity.pk)
    in_scope(by, child, _("找不到该儿童档案。"), field="child")
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
    enrolment = create_checked(
        Enrolment,
        activity=locked,
        child=child,
        eligible=is_eligible,
        exception_reason="" if is_eligible else reason,
        enrolled_by=by,
    )
    detail: dict[str, Any] = {"activity": locked.pk, "enrolled": True}
    if not is_eligible:
        detail["exception_reason"] = reason
    audit_child(by=by, child=child, **detail)
    return enrolment


@transaction.atomic
def enrolment_remove(*, by: User, enrolment: Enrolment) -> None:
    """Take a child off the list, only while its attendance is not recorded."""
    require(by, "registry.edit")
    scope.get(by, Activity, enrolment.activity_id)
    if not scope.visible(by, Child).filter(pk=enrolment.child_id).exists():
        raise DomainError(_("只能取消本辖区儿童的报名。"))
    attended = _("已记录出席情况的报名不能取消。")
    if enrolment.attended is not None:
        raise InvalidTransition(attended)
    # The row decides, not the object the caller holds: attendance taken (or the child taken
    # off) since that object was read refuses, where a stale object would delete or audit anew.
    deleted, _per_model = Enrolment.objects.filter(pk=enrolment.pk, attended__isnull=True).delete()
    if deleted != 1:
        gone = not Enrolment.objects.filter(pk=enrolment.pk).exists()
        raise InvalidTransition(_("已取消报名。") if gone else attended)
    audit_child(by=by, child=enrolment.child, activity=enrolment.activity_id, enrolled=False)


def markable_enrolments(*, by: User, activity: Activity) -> QuerySet[Enrolment]:
    """The enrolments of the activity whose attendance the user records: partner staff (who see
    no archive) their own activity's; a division user those of the children it may see."""
    enrolments = Enrolment.objects.filter(activity=activity)
    if by.role == Role.PARTNER:
        mine = scope.visible(by, Activity).filter(pk=activity.pk)
        return enrolments.filter(activity__in=mine)
    return enrolments.filter(child__in=scope.visible(by, Child))


@transaction.atomic
def attendance_record(
    *, by: User, activity: Activity, present: set[int], today: date | None = None
) -> None:
    """Mark who came (enrolment ids in `present`) and who did not; only once the day has come.
    Recording again overwrites: attendance is the list as last saved, not a state step.

    Per scope: a division user marks the enrolled children it may see (the others' marks stay
    as they are); partner staff mark their own activity's whole list. An id outside that is
    refused and nothing is marked."""
    require(by, "activity.manage")
    scope.get(by, Activity, activity.pk)
    today = today or timezone.localdate()
    if activity.held_on > today:
        raise DomainError(_("活动尚未举行，不能记录出席情况。"))
    enrolments = markable_enrolments(by=by, activity=activity)
    check_within(present, enrolments, message=_("名单中有不在您辖区内的报名，未作任何记录。"))
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
def photo_upload(
    *, by: User, activity: Activity, upload: UploadedFile, caption: str = ""
) -> ActivityPhoto:
    require(by, "activity.manage")
    scope.get(by, Activity, activity.pk)
    photo = ActivityPhoto(
        activity=activity,
        caption=caption.strip(),
        size=upload.size or 0,
        sha256=uploads.sha256_of(upload),
        uploaded_by=by,
    )
    file_store(obj=photo, upload=upload, images_only=True)
    audit_object(by=by, action=AuditAction.CREATE, obj=activity, photo=photo.pk)
    return photo
