"""Writes of the trainings: register one and its attendance, which is recorded only once it was
held. A training's attendance is edited per scope: a supervisor saving it for a district-wide
training puts on and takes off only its own street's people; the rest stay as they are."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.accounts.models import User
from huhang.community.models import Training, TrainingAttendance, Workstation
from huhang.community.services import check_within
from huhang.core import scope
from huhang.core.access import require
from huhang.core.audit import audit_object
from huhang.core.exceptions import DomainError
from huhang.core.models import AuditAction
from huhang.core.validation import create_checked, in_scope
from huhang.regions.models import Division


def _refuse_future_attendance(held_on: date, attendees: list[User], today: date) -> None:
    if attendees and held_on > today:
        raise DomainError(
            _("培训日期 %(day)s 尚未到来，不能登记出席人员。") % {"day": held_on.isoformat()},
            field="attendees",
        )


@transaction.atomic
def training_create(
    *,
    by: User,
    topic: str,
    held_on: date,
    trainer: str,
    hours: Decimal,
    division: Division,
    place: str = "",
    station: Workstation | None = None,
    attendees: Iterable[User] = (),
    today: date | None = None,
) -> Training:
    require(by, "training.manage")
    today = today or timezone.localdate()
    in_scope(by, division, _("只能为本辖区组织培训。"), field="division")
    if station is not None:
        in_scope(by, station, _("只能在本辖区的工作站组织培训。"), field="station")
    people = list(attendees)
    _refuse_future_attendance(held_on, people, today)
    training = create_checked(
        Training,
        topic=topic,
        held_on=held_on,
        trainer=trainer,
        hours=hours,
        place=place,
        division=division,
        station=station,
        created_by=by,
    )
    _set_attendance(by, training, people)
    audit_object(by=by, action=AuditAction.CREATE, obj=training, attendees=len(people))
    return training


@transaction.atomic
def training_attendance_set(
    *, by: User, training: Training, attendees: Iterable[User], today: date | None = None
) -> Training:
    """The training's attendance, as far as the user's people go, as this list: who of them is
    not on it any more is taken off; people of other streets on the training stay."""
    require(by, "training.manage")
    scope.get(by, Training, training.pk)
    today = today or timezone.localdate()
    people = list(attendees)
    _refuse_future_attendance(training.held_on, people, today)
    _set_attendance(by, training, people)
    audit_object(by=by, action=AuditAction.CHANGE, obj=training, attendees=len(people))
    return training


def _set_attendance(by: User, training: Training, attendees: list[User]) -> None:
    mine = scope.visible(by, User, "training")
    wanted = check_within(
        (u.pk for u in attendees),
        mine,
        message=_("只能登记本辖区的督导员和儿童主任。"),
        field="attendees",
    )
    TrainingAttendance.objects.filter(training=training, user__in=mine).exclude(
        user_id__in=wanted
    ).delete()
    have = set(
        TrainingAttendance.objects.filter(training=training).values_list("user_id", flat=True)
    )
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(training=training, user_id=pk, recorded_by=by)
        for pk in sorted(wanted - have)
    )
