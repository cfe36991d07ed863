"""Domain exceptions. Services raise them; views and the API map them to messages in one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A refusal the user can understand and act on; ``message`` is shown as it is."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field


class ConcurrentEdit(DomainError):
    """Someone else saved the record after this user opened it (optimistic locking)."""

    status = 409


class InvalidTransition(DomainError):
    """A state change that is not allowed from the current state."""

    status = 409


class NotAllowed(DomainError, PermissionDenied):
    """The user may see the record but not do this to it (403). A PermissionDenied too, so that
    code outside our middleware (Django's handlers, the API) answers 403 as well."""

    status = 403
