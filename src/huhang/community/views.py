"""Pieces shared by the community's pages; the pages themselves live in `<sub-domain>/views.py`."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def private_file(file: FieldFile, content_type: str) -> FileResponse:
    """A stored file (an activity photo, an agreement) for one user only: never cached, never
    sniffed into another type than the one checked at upload."""
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
