"""Every read of the hand-entered student lists (福彩圆梦·孤儿助学, 金秋助学), from core.scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce

from huhang.benefits.models import Entitlement
from huhang.benefits.selectors import paid_subquery, visible_children
from huhang.core import idnumber, scope
from huhang.core.audit import audit_search
from huhang.core.money import yuan
from huhang.registry.models import Child

if TYPE_CHECKING:
    from huhang.accounts.models import User
    from huhang.benefits.selectors import PaidEntitlement


def student_by_id_number(*, user: User, id_number: str) -> Child | None:
    """The child with this ID number among those whose figures the user may see, or None."""
    return (
        visible_children(user)
        .select_related("person__household")
        .filter(person__id_number=idnumber.normalize(id_number))
        .first()
    )


def student_list(*, user: User, code: str) -> QuerySet[PaidEntitlement]:
    """The scholarship or 金秋助学 list: entitlements of the programme of the children the user
    sees, with what was paid; records one search event."""
    audit_search(by=user, object_type="entitlement", label="助学名单", programme=code)
    return (
        scope.visible(user, Entitlement)
        .filter(programme_id=code)
        .select_related("child__person__household", "child__division__parent")
        .annotate(paid_fen=Coalesce(paid_subquery(), Value(0)))
        .order_by("-starts_on", "child__division_id", "child__search_name", "pk")
    )


def decorate_students(rows: Iterable[PaidEntitlement]) -> None:
    for row in rows:
        row.paid_yuan = yuan(row.paid_fen)
        start = row.starts_on.year
        row.school_year = f"{start}–{start + 1}"
        row.last_school_year = f"{row.ends_on.year}–{row.ends_on.year + 1}" if row.ends_on else ""
