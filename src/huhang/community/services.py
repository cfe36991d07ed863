"""Write plumbing shared by the community's sub-domains; their services live in
`<sub-domain>/services.py` (keyword-only, one transaction each, audited, refusing with domain
exceptions). Visibility of the records passed in is the caller's (core.scope) business; children
passed in must come from `scope.visible(by, Child)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from huhang.community.models import ActivityPhoto, Agreement
from huhang.core import uploads
from huhang.core.exceptions import DomainError

if TYPE_CHECKING:
    pass


def file_store(*, obj: ActivityPhoto | Agreement, upload: UploadedFile, images_only: bool) -> None:
    """Check `upload` by its content like the archive's documents (DomainError otherwise), note
    its type on `obj` and save both (core.uploads.store)."""
    extension, content_type = uploads.check_upload(upload)
    if images_only and extension not in uploads.IMAGE_TYPES:
        raise DomainError(_("活动照片只能是 JPG、PNG 或 WEBP 图片。"), field="file")
    obj.extension, obj.content_type = extension, content_type
    uploads.store(obj, upload)
