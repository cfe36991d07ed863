"""Every write of home visits: a visit and its photos, in one transaction, audited on the
child's trail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.cases.models import Case, HomeVisit, VisitPhoto
from huhang.cases.visits.selectors import next_visit_interval
from huhang.core.access import require
from huhang.core.dates import add_months
from huhang.core.exceptions import DomainError
from huhang.registry.models import Child, Document, DocumentKind
from huhang.registry.selectors import audit_child
from huhang.registry.services import document_upload

if TYPE_CHECKING:
    from huhang.accounts.models import User


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
    today: date | None = None,
) -> HomeVisit:
    """Record a visit and its photos (stored as the child's documents) in one transaction: a
    refused visit stores nothing, a refused photo undoes the visit and the photos before it."""
    require(by, "visit.record")
    today = today or timezone.localdate()
    if visited_on > today:
        raise DomainError(_("探访日期不能晚于今天。"), field="visited_on")
    if not findings.strip():
        raise DomainError(_("请填写探访情况。"), field="findings")
    if case is not None and case.child_id != child.pk:
        raise DomainError(_("所选个案不属于该儿童。"), field="case")
    if next_due is None:
        next_due = add_months(visited_on, next_visit_interval(child))
    if next_due <= visited_on:
        raise DomainError(_("下次探访日期应晚于本次探访日期。"), field="next_due")
    visit = HomeVisit.objects.create(
        child=child,
        case=case,
        visited_on=visited_on,
        visitor=by,
        findings=findings.strip(),
        next_due=next_due,
    )
    audit_child(by=by, child=child, action="create", visit=visit.pk)
    _attach_photos(by, visit, photos)
    return visit


def _attach_photos(by: User, visit: HomeVisit, photos: Sequence[UploadedFile]) -> None:
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
            VisitPhoto.objects.create(visit=visit, document=document)
    except BaseException:
        # The rows roll back with the transaction; the files already written must go too.
        for document in stored:
            document.file.delete(save=False)
        raise
