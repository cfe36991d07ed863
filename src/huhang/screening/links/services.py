"""Writes of the link review queue: storing the linker's uncertain candidates, a supervisor's
decision. Keyword-only, one transaction each, audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.core import divisions, scope
from huhang.core.access import claim, require
from huhang.core.audit import audit_record_many
from huhang.core.exceptions import ConcurrentEdit, InvalidTransition, NotAllowed
from huhang.core.models import AuditAction
from huhang.regions.models import Division
from huhang.regions.selectors import divisions_by_code
from huhang.screening.links.selectors import audit_link
from huhang.screening.models import LinkReview, LinkStatus, ScreeningRun

if TYPE_CHECKING:
    from huhang.accounts.models import User

# Facts of the feed row kept for the comparison page (besides the model's own columns).
_DETAIL_KEYS = ("student_number", "school", "hukou_code", "residence_code", "reason")
_CODE = divisions.LEAF_LENGTH  # the width of a region code column
_CANDIDATE_DETAIL_KEYS = (
    "candidate_sex",
    "candidate_hukou_code",
    "candidate_residence_code",
    "second_probability",
)


# Division code lengths, longest (a community) first.
_LENGTHS = sorted(divisions.CODE_LENGTH.values(), reverse=True)


def _prefixes(code: str | None) -> list[str]:
    code = (code or "").strip()
    return [code[:n] for n in _LENGTHS if len(code) >= n]


def _root() -> Division:
    root = Division.objects.filter(code=settings.HUHANG_ROOT_DIVISION).first()
    if root is None:
        root = Division.objects.filter(parent__isnull=True).order_by("code").first()
    if root is None:
        raise Division.DoesNotExist("the division tree is empty")
    return root


def _route(candidates: list[dict[str, Any]]) -> list[Division]:
    """Each row's division: the nearest known ancestor of its residence code, else of its
    household-registration code, else the root (one query for all rows)."""
    wanted = {
        p for c in candidates for k in ("residence_code", "hukou_code") for p in _prefixes(c.get(k))
    }
    # A code retired by a 区划调整 reaches the division that replaced it.
    known = {code: found for code, (found, _old) in divisions_by_code(wanted).items()}
    root = None
    routed = []
    for c in candidates:
        found = next(
            (
                known[p]
                for k in ("residence_code", "hukou_code")
                for p in _prefixes(c.get(k))
                if p in known
            ),
            None,
        )
        if found is None:
            root = root or _root()
            found = root
        routed.append(found)
    return routed


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _existing_keys(candidates: list[dict[str, Any]]) -> tuple[set[tuple], set[tuple]]:
    """(batch, row, candidate) and (student number, candidate) of reviews already stored."""
    ids = {c["candidate_id_number"] for c in candidates}
    by_row: set[tuple] = set()
    by_student: set[tuple] = set()
    rows = LinkReview.objects.filter(candidate_id_number__in=ids).values_list(
        "batch_id", "row", "candidate_id_number", "detail"
    )
    for batch_id, row, candidate, detail in rows:
        by_row.add((batch_id, row, candidate))
        student = (detail or {}).get("student_number")
        if student:
            by_student.add((student, candidate))
    return by_row, by_student


@transaction.atomic
def link_reviews_store(*, run: ScreeningRun | None, candidates: Iterable[dict[str, Any]]) -> int:
    """Store new uncertain candidates as open LinkReviews; return how many were new.

    A candidate already under review or decided — for the same batch and row, or for the same
    student (学籍号) on an earlier snapshot — is not stored again: a supervisor is asked once."""
    candidates = list(candidates)
    if not candidates:
        return 0
    by_row, by_student = _existing_keys(candidates)
    fresh = []
    for c in candidates:
        key_row = (c["batch"], c["row"], c["candidate_id_number"])
        key_student = (c.get("student_number"), c["candidate_id_number"])
        if key_row in by_row or (key_student[0] and key_student in by_student):
            continue
        by_row.add(key_row)
        if key_student[0]:
            by_student.add(key_student)
        fresh.append(c)
    now = timezone.now()
    reviews = [
        LinkReview(
            batch_id=c["batch"],
            row=c["row"],
            name=(c.get("name") or "")[:64],
            sex=c.get("sex") or "",
            birth_date=c.get("birth_date"),
            region_code=(c.get("residence_code") or c.get("hukou_code") or "")[:_CODE],
            detail={
                **{k: _jsonable(c.get(k)) for k in _DETAIL_KEYS if c.get(k) is not None},
                **{k: _jsonable(c.get(k)) for k in _CANDIDATE_DETAIL_KEYS if c.get(k) is not None},
                **({"run": run.pk} if run is not None else {}),
            },
            candidate_id_number=c["candidate_id_number"],
            candidate_name=(c.get("candidate_name") or "")[:64],
            candidate_birth_date=c.get("candidate_birth_date"),
            candidate_region_code=(
                c.get("candidate_residence_code") or c.get("candidate_hukou_code") or ""
            )[:_CODE],
            match_probability=float(c["match_probability"]),
            division=division,
            created_at=now,
        )
        for c, division in zip(fresh, _route(fresh), strict=True)
    ]
    created = LinkReview.objects.bulk_create(reviews)
    by = run.started_by if run is not None else None
    audit_record_many(
        by=by or "screening",
        action=AuditAction.CREATE,
        object_type="linkreview",
        objects=((r.pk, f"{r.name} ↔ {r.candidate_name}") for r in created),
    )
    return len(created)


@transaction.atomic
def link_review_resolve(*, by: User, review: LinkReview, same_person: bool) -> LinkReview:
    """A supervisor's (or the bureau's) decision: the row is the candidate, or is not.

    Claimed with a conditional UPDATE on the open status, so that of two people deciding at the
    same time one wins and the other is told; the next screening applies the decision."""
    require(by, "link.review")
    if not scope.visible(by, LinkReview).filter(pk=review.pk).exists():
        raise NotAllowed(_("记录不存在，或不在您的管辖范围内。"))
    status = LinkStatus.LINKED if same_person else LinkStatus.DISTINCT
    now = timezone.now()
    try:
        claim(
            LinkReview.objects.filter(pk=review.pk, status=LinkStatus.OPEN),
            refusal=_("该匹配已由他人处理，请刷新后查看。"),
            status=status,
            resolved_by=by,
            resolved_at=now,
        )
    except InvalidTransition as exc:
        # The page the user decided on is out of date: shown as a page asking to reload (409),
        # not as an error on the form.
        raise ConcurrentEdit(exc.message) from exc
    review.status, review.resolved_by, review.resolved_at = status, by, now
    audit_link(
        by=by,
        review=review,
        action=AuditAction.CHANGE,
        detail={"status": str(status), "candidate": review.candidate_id_number[-4:]},
    )
    return review
