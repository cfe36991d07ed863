"""The checks every service makes before it writes, each in one place: a required text, a date
not in the future, a period whose end is not before its start, a record the user may see; and
the creation of a row that is validated before it is saved.

Each check raises a DomainError with the caller's message on the caller's field, so the user
reads the same words whichever service refused; the messages stay with the services, which know
what the date or the text is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from huhang.core import scope
from huhang.core.exceptions import DomainError

M = TypeVar("M", bound=Model)
D = TypeVar("D", date, datetime)


def required_text(text: str, message: str, *, field: str | None = None) -> str:
    """The text without surrounding blanks; a blank one is refused with `message` on `field`."""
    text = text.strip()
    if not text:
        raise DomainError(message, field=field)
    return text


def not_future(
    when: date | None, message: str, *, field: str | None = None, today: date | None = None
) -> None:
    """Refuse a day after today, or a moment (a datetime) after now; None passes (not given).
    `today` stands for the current day (or moment) where the caller has one."""
    if when is None:
        return
    if isinstance(when, datetime):
        limit: date = today or timezone.now()
    else:
        limit = today or timezone.localdate()
    if when > limit:
        raise DomainError(message, field=field)


def check_period(starts: D | None, ends: D | None, message: str, *, field: str) -> None:
    """Refuse a period that ends before it starts; an open end (None) or start passes."""
    if starts is not None and ends is not None and ends < starts:
        raise DomainError(message, field=field)


def in_scope(
    by: Any, obj: Model, message: str, *, field: str | None = None, purpose: str = "view"
) -> None:
    """Refuse a record a request named (a form's choice) that the user may not see, whatever
    the form offered (core.scope.contains); the refusal is a form error, not a 404."""
    if not scope.contains(by, obj, purpose):
        raise DomainError(message, field=field)


def create_checked(model: type[M], /, *, refusal: DomainError | None = None, **fields: Any) -> M:
    """A new `model` row from `fields`, validated (full_clean) and saved.

    With `refusal`, the table's constraints are left to the database: a concurrent write that
    wins a unique constraint makes this one raise `refusal` (in a savepoint, so the caller's
    transaction stays usable), where a check beforehand could not see the other write."""
    obj = model(**fields)
    if refusal is None:
        obj.full_clean()
        obj.save()
        return obj
    obj.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise refusal from exc
    return obj
