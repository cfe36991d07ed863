"""Every write of home visits: a visit and its photos, in one transaction, audited on the
child's trail.

A visit may come from the phone's outbox (issue 13), perhaps hours after it was recorded
offline. It then carries the id the phone made (`client_id`): the same visit sent twice is
stored once (a unique constraint, so two racing sends cannot both win). Whatever changed
meanwhile is checked again here, and a refusal names its reason: the outbox keeps the visit and
shows it; nothing is overwritten.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.cases.models import Case, CaseStatus, HomeVisit, VisitPhoto
from huhang.cases.visits import stamp
from huhang.cases.visits.selectors import next_visit_interval
from huhang.core.access import require
from huhang.core.dates import add_months
from huhang.core.exceptions import DomainError
from huhang.core.validation import check_period, not_future, required_text
from huhang.registry.models import Child, ChildStatus, Document, DocumentKind
from huhang.registry.selectors import audit_child
from huhang.registry.services import document_upload

if TYPE_CHECKING:
    from huhang.accounts.models import User


@dataclass(frozen=True)
class Location:
    """Where the phone was: WGS 84 degrees and the radius (metres) the browser vouches for."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: int


@transaction.atomic
def visit_record(
    *,
    by: User,
    child: Child,
    visited_on: date,
    findings: str,
    next_due: date | None = None,
    case: Case | None = None,
    photos: Sequence[UploadedFile] = (),
    client_id: uuid.UUID | None = None,
    location: Location | None = None,
    taken_at: datetime | None = None,
    today: date | None = None,
) -> HomeVisit:
    """Record a visit and its photos (stored as the child's documents) in one transaction: a
    refused visit stores nothing, a refused photo undoes the visit and the photos before it.

    With `client_id`, a visit already stored under that id by the same visitor for the same
    child is returned as it is (the phone's retry); under another visitor or child, refused.
    `taken_at` is when the phone saved the visit (the time stamped on the photos)."""
    require(by, "visit.record")
    if client_id is not None:
        earlier = _stored_before(by, child, client_id)
        if earlier is not None:
            return earlier
    today = today or timezone.localdate()
    _check(child=child, visited_on=visited_on, case=case, today=today)
    findings = required_text(findings, _("请填写探访情况。"), field="findings")
    if next_due is None:
        next_due = add_months(visited_on, next_visit_interval(child))
    if next_due <= visited_on:
        raise DomainError(_("下次探访日期应晚于本次探访日期。"), field="next_due")
    fields: dict[str, object] = {
        "child": child,
        "case": case,
        "visited_on": visited_on,
        "visitor": by,
        "findings": findings,
        "next_due": next_due,
        "client_id": client_id,
    }
    if location is not None:
        fields.update(
            latitude=location.latitude,
            longitude=location.longitude,
            accuracy_m=location.accuracy_m,
        )
    try:
        with transaction.atomic():
            visit = HomeVisit.objects.create(**fields)
    except IntegrityError:
        # Another send of the same visit won the race between the check above and this insert.
        earlier = _stored_before(by, child, client_id) if client_id is not None else None
        if earlier is None:
            raise
        return earlier
    audit_child(by=by, child=child, action="create", visit=visit.pk)
    _attach_photos(by, visit, photos, taken_at or timezone.now())
    return visit


def _stored_before(by: User, child: Child, client_id: uuid.UUID) -> HomeVisit | None:
    earlier = HomeVisit.objects.filter(client_id=client_id).first()
    if earlier is None:
        return None
    if earlier.visitor_id != by.pk or earlier.child_id != child.pk:
        raise DomainError(_("该探访编号已被另一条记录使用，请重新填写。"), field="client_id")
    return earlier


def _check(*, child: Child, visited_on: date, case: Case | None, today: date) -> None:
    """What may have changed since the phone saved the visit: each refusal names its reason."""
    if child.status != ChildStatus.ACTIVE:
        raise DomainError(
            _("该儿童档案已不在册（%(status)s），探访无法记入。")
            % {"status": child.get_status_display()},
            field="child",
        )
    not_future(visited_on, _("探访日期不能晚于今天。"), field="visited_on", today=today)
    check_period(
        child.person.birth_date, visited_on, _("探访日期早于儿童的出生日期。"), field="visited_on"
    )
    if case is None:
        return
    if case.child_id != child.pk:
        raise DomainError(_("所选个案不属于该儿童。"), field="case")
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            _("所选个案已结案，探访不能再记入该个案；请不关联个案或选择其他个案。"), field="case"
        )


def _attach_photos(
    by: User, visit: HomeVisit, photos: Sequence[UploadedFile], taken_at: datetime
) -> None:
    stored: list[Document] = []
    try:
        for number, upload in enumerate(photos, start=1):
            title = _("探访照片 %(d)s-%(n)s") % {"d": visit.visited_on.isoformat(), "n": number}
            try:
                document = document_upload(
                    by=by,
                    child=visit.child,
                    kind=DocumentKind.PHOTO,
                    title=title,
                    upload=upload,
                    capability="visit.record",
                )
            except DomainError as exc:
                raise DomainError(f"{upload.name}：{exc.message}", field="photos") from exc
            stored.append(document)
            stamped = _stamped_copy(by, visit, document, title, taken_at)
            if stamped is not None:
                stored.append(stamped)
            VisitPhoto.objects.create(visit=visit, document=document, stamped=stamped)
    except BaseException:
        # The rows roll back with the transaction; the files already written must go too.
        for document in stored:
            document.file.delete(save=False)
        raise


def _stamped_copy(
    by: User, visit: HomeVisit, original: Document, title: str, taken_at: datetime
) -> Document | None:
    """The photo with the visit's date, time and place drawn on it, stored beside the original
    (which stays as it came). None when Pillow cannot read the picture: the original is kept."""
    with original.file.open("rb") as f:
        data = stamp.stamp_photo(f.read(), stamp.caption(visit, taken_at))
    if data is None:
        return None
    upload = ContentFile(data, name=f"{original.original_name.rsplit('.', 1)[0]}-stamped.jpg")
    return document_upload(
        by=by,
        child=visit.child,
        kind=DocumentKind.PHOTO,
        title=_("%(title)s（加注时间地点）") % {"title": title},
        upload=upload,  # type: ignore[arg-type]
        capability="visit.record",
    )
