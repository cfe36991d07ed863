"""Every read of the link review queue, through core.scope, audited.

A review shows a child's facts from the student register next to a person of the population
register, so viewing one is recorded like viewing an archive; a list page records one search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from huhang.core import names, scope
from huhang.core.audit import audit_object, audit_record
from huhang.core.models import AuditAction
from huhang.screening.models import LinkReview, LinkStatus

if TYPE_CHECKING:
    from huhang.accounts.models import User

SEX_LABELS = {"M": _("男"), "F": _("女")}


@dataclass(frozen=True)
class LinkFilter:
    status: str = LinkStatus.OPEN  # "" = every status


def link_list(*, user: User, filters: LinkFilter) -> QuerySet[LinkReview]:
    qs = scope.visible(user, LinkReview).select_related("division")
    if filters.status:
        qs = qs.filter(status=filters.status)
    audit_record(
        by=user,
        action=AuditAction.SEARCH,
        object_type="linkreview",
        detail={"status": filters.status},
    )
    return qs.order_by("-match_probability", "id")


def link_for_user(*, user: User, pk: Any) -> LinkReview:
    """The review, or 404 when it is outside the user's area (or no review at all)."""
    return scope.get(user, LinkReview, pk, "division", "resolved_by")


def link_detail(*, user: User, pk: Any) -> LinkReview:
    review = link_for_user(user=user, pk=pk)
    audit_link(by=user, review=review, action=AuditAction.VIEW)
    return review


def audit_link(
    *, by: User, review: LinkReview, action: str, detail: dict[str, Any] | None = None
) -> None:
    label = f"{review.name} ↔ {review.candidate_name}"
    audit_object(by=by, action=action, obj=review, label=label, **(detail or {}))


def mask_last4(value: str | None) -> str:
    """Only the last four characters of an ID number (the comparison page's rule)."""
    value = (value or "").strip()
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def _shown(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else (value or "")


def _agree(a: Any, b: Any) -> bool | None:
    return None if not a or not b else a == b


def comparison(review: LinkReview) -> list[dict[str, Any]]:
    """The side-by-side rows of the detail page: label, the feed row's value, the candidate's,
    and whether they agree (None where either side is unknown). The candidate's ID number
    shows only its last four characters; the row has none (that is why it is here)."""
    d = review.detail or {}
    pairs = [
        (_("姓名"), review.name, review.candidate_name),
        (
            _("性别"),
            SEX_LABELS.get(review.sex, ""),
            SEX_LABELS.get(d.get("candidate_sex") or "", ""),
        ),
        (_("出生日期"), review.birth_date, review.candidate_birth_date),
        (_("户籍地区划代码"), d.get("hukou_code"), d.get("candidate_hukou_code")),
        (_("现住址区划代码"), d.get("residence_code"), d.get("candidate_residence_code")),
    ]
    rows = [
        {"label": label, "row": _shown(a), "candidate": _shown(b), "same": _agree(a, b)}
        for label, a, b in pairs
    ]
    # Names agree when they are written differently but read the same (張偉 = 张伟).
    rows[0]["same"] = _agree(names.normalize(review.name), names.normalize(review.candidate_name))
    rows.append(
        {
            "label": _("公民身份号码"),
            "row": "",
            "candidate": mask_last4(review.candidate_id_number),
            "same": None,
        }
    )
    return rows
