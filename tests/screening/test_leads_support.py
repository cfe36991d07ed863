"""What the leads tests share besides the factories: the child without an archive whose facts
the pages show, an approved category, and the day the tests happen on."""

from __future__ import annotations

from datetime import date

from huhang.registry.models import CategoryAssignment
from tests.factories.registry import CategoryFactory

# A child the screening found who has no archive yet (the registration form is prefilled with
# these facts, and an ID number must agree with the birth date).
NEW_CHILD = {"name": "赵小新", "sex": "M", "birth_date": date(2017, 5, 4)}


def approved(child, category: str, *, since: date = date(2020, 1, 1)) -> CategoryAssignment:
    """An approved category of the child, in effect since `since`; each step was taken by
    another officer of the child's community."""
    return CategoryFactory(
        child=child,
        category=category,
        approved=True,
        basis="档案",
        effective_from=since,
        proposed_by__division=child.division,
        verified_by__division=child.division,
        approved_by__division=child.division,
    )
