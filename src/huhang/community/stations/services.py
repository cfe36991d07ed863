"""Writes of the workstations: set up and change a station (station.manage, within the user's
subtree)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from huhang.accounts.models import User
from huhang.community.models import Workstation
from huhang.community.services import check_within
from huhang.core import scope
from huhang.core.access import require
from huhang.core.audit import audit_object
from huhang.core.models import AuditAction
from huhang.core.validation import create_checked, in_scope
from huhang.regions.models import Division

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


def _set_staff(by: User, station: Workstation, staff: Iterable[User]) -> None:
    """The station's staff, as far as the user's people go: others' stay on it."""
    mine = scope.visible(by, User, "training")
    wanted = check_within(
        (u.pk for u in staff), mine, message=_("只能指派本辖区的工作人员。"), field="staff"
    )
    through = Workstation.staff.through.objects.filter(workstation_id=station.pk)
    through.filter(user__in=mine).exclude(user_id__in=wanted).delete()
    station.staff.add(*wanted)


def _check_station_division(by: User, division: Division) -> None:
    in_scope(by, division, _("只能在本辖区内设立工作站。"), field="division")


@transaction.atomic
def station_create(*, by: User, staff: Iterable[User] = (), **fields: Any) -> Workstation:
    require(by, "station.manage")
    _check_station_division(by, fields["division"])
    station = create_checked(Workstation, **{k: fields.get(k, "") for k in STATION_FIELDS})
    _set_staff(by, station, staff)
    audit_object(by=by, action=AuditAction.CREATE, obj=station)
    return station


@transaction.atomic
def station_update(
    *, by: User, station: Workstation, staff: Iterable[User] | None = None, **fields: Any
) -> Workstation:
    require(by, "station.manage")
    scope.get(by, Workstation, station.pk)
    if "division" in fields:
        _check_station_division(by, fields["division"])
    for key in STATION_FIELDS:
        if key in fields:
            setattr(station, key, fields[key])
    station.full_clean()
    station.save()
    if staff is not None:
        _set_staff(by, station, staff)
    audit_object(by=by, action=AuditAction.CHANGE, obj=station)
    return station
