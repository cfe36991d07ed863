"""Write plumbing shared by the community's sub-domains; their services live in
`<sub-domain>/services.py` (keyword-only, one transaction each, audited, refusing with domain
exceptions). Visibility of the records passed in is the caller's (core.scope) business; children
passed in must come from `scope.visible(by, Child)`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from huhang.community.models import ActivityPhoto, Agreement
from huhang.core import uploads
from huhang.core.exceptions import DomainError


def check_within(
    ids: Iterable[Any], allowed: QuerySet[Any], *, message: str, field: str | None = None
) -> set[Any]:
    """The ids, if every one of them names a row of `allowed` (the rows of the actor's scope
    this write may touch); a DomainError otherwise, before anything is written. A request
    carries whatever ids its sender put in it: a district-wide list (a resource's children, a
    training's attendance) is edited per scope, and an id of another street's row is refused,
    never half-saved."""
    wanted = set(ids)
    if wanted and allowed.filter(pk__in=wanted).count() != len(wanted):
        raise DomainError(message, field=field)
    return wanted


def file_store(*, obj: ActivityPhoto | Agreement, upload: UploadedFile, images_only: bool) -> None:
    """Check `upload` by its content like the archive's documents (DomainError otherwise), note
    its type on `obj` and save both (core.uploads.store)."""
    extension, content_type = uploads.check_upload(upload)
    if images_only and extension not in uploads.IMAGE_TYPES:
        raise DomainError(_("活动照片只能是 JPG、PNG 或 WEBP 图片。"), field="file")
    obj.extension, obj.content_type = extension, content_type
    uploads.store(obj, upload)
