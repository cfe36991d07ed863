"""Every read of the registry. Each starts from core.scope and records what it showed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core import crypto, divisions, exports, facts, masking, names, scope
from huhang.core.access import get_or_404, require
from huhang.core.audit import audit_object, audit_record_many, audit_search
from huhang.core.masking import mask_id_number
from huhang.core.models import AuditAction
from huhang.core.roles import can
from huhang.regions.models import Division
from huhang.registry.models import (
    DEATH_SITUATIONS,
    ID_LAST_DIGITS,
    ArchiveMerge,
    CategoryAssignment,
    CategoryStatus,
    Child,
    ChildStatus,
    Document,
    DuplicateReview,
    DuplicateStatus,
    Relation,
    Situation,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from huhang.accounts.models import User

# Age bands offered by the children list filter: code → (label, youngest, oldest) in full years.
AGE_BANDS: dict[str, tuple[StrOrPromise, int, int]] = {
    "0-2": (_("0–2岁"), 0, 2),
    "3-5": (_("3–5岁"), 3, 5),
    "6-11": (_("6–11岁"), 6, 11),
    "12-15": (_("12–15岁"), 12, 15),
    "16-17": (_("16–17岁"), 16, 17),
}

# Children are listed in pinyin order (王 after 李 and 张 before 赵), as Chinese registers are,
# not by character code. The search key is "name pinyin initials" (core.names.search_key), so
# the pinyin is what follows its first space: no extra column, the same on SQLite and PostgreSQL.
PINYIN_ORDER = Substr("search_name", StrIndex("search_name", Value(" ")) + 1)

_ID_DIGITS = re.compile(r"^[0-9]{3,17}[0-9xX]?$")


@dataclass(frozen=True)
class ChildFilter:
    division: str = ""
    category: str = ""
    status: str = ""
    age_band: str = ""
    q: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def child_list(*, user: User, filters: ChildFilter, today: date | None = None) -> QuerySet[Child]:
    """The children a user may see, filtered and searched, with what a list row shows.

    Records one search event; the caller paginates. The number of queries does not depend on
    the page size: persons and divisions are joined, open categories prefetched in one query.
    """
    today = today or timezone.localdate()
    qs = scope.visible(user, Child)
    if filters.division:
        qs = qs.filter(divisions.subtree_q(filters.division, "division_id"))
    category_q = Q()
    if filters.category:
        category_q &= Q(category=filters.category)
    if filters.status:
        category_q &= Q(status=filters.status)
    if filters.category or filters.status:
        qs = qs.filter(Exists(CategoryAssignment.objects.filter(category_q, child=OuterRef("pk"))))
    if filters.age_band in AGE_BANDS:
        _label, youngest, oldest = AGE_BANDS[filters.age_band]
        qs = qs.filter(
            search_birth__gt=facts.latest_birth(today, oldest + 1),
            search_birth__lte=facts.latest_birth(today, youngest),
        )
    term = filters.q.strip()
    if term:
        if _ID_DIGITS.match(term):
            # A role that may not see ID numbers may not learn their digits by searching
            # either (core.masking): it finds a child by the whole number only.
            # The number itself is encrypted (core.crypto): the whole number is found through
            # its blind index, the last digits through the copy kept apart.
            if len(term) == 18:
                qs = qs.filter(search_id__in=crypto.blind_indexes(term.upper()))
            elif masking.disclosure(user).full_id and len(term) <= ID_LAST_DIGITS:
                qs = qs.filter(search_last__endswith=term.upper())
            else:
                qs = qs.none()
        else:
            qs = qs.filter(search_name__contains=names.search_term(term))
    open_categories = CategoryAssignment.objects.exclude(status=CategoryStatus.ENDED).order_by(
        "category"
    )
    audit_search(by=user, object_type="child", label="儿童列表", **filters.as_dict())
    return (
        qs.select_related("person", "division")
        .prefetch_related(
            Prefetch("categories", queryset=open_categories, to_attr="open_categories")
        )
        .order_by("division_id", PINYIN_ORDER, "search_name", "pk")
    )


# --- The register's figures: one definition for the home page, the dashboard and the reports ---
#
# Issue 12: the home page counted every archive (aged out, moved, merged ones too) and every
# approved assignment as "在册", the dashboard only the children on the register and the
# categories in force: 3,303 vs 3,274 under the same label. Both now count through these.


def on_register_q(prefix: str = "") -> Q:
    """A child on the register (在册): its archive is active (not aged out, moved, deceased or
    merged into another)."""
    return Q(**{f"{prefix}status": ChildStatus.ACTIVE})


def category_in_force_q(today: date, prefix: str = "") -> Q:
    """A category assignment in force on `today` (已认定, effective, not ended) of a child on
    the register; `prefix` leads from another model to the assignment."""
    p = prefix
    return (
        Q(**{f"{p}status": CategoryStatus.APPROVED, f"{p}effective_from__lte": today})
        & (Q(**{f"{p}effective_to__isnull": True}) | Q(**{f"{p}effective_to__gte": today}))
        & on_register_q(f"{p}child__")
    )


@dataclass
class RegisterFigures:
    children: int
    pending: int
    by_category: dict[str, int]


def register_figures(*, user: User, today: date | None = None) -> RegisterFigures:
    """The children on the register the user sees, the categories waiting for a step, and the
    children of each category in force (the home page; the dashboard uses the same Q objects)."""
    today = today or timezone.localdate()
    children = scope.visible(user, Child).filter(on_register_q()).count()
    assignments = scope.visible(user, CategoryAssignment)
    pending = assignments.filter(
        on_register_q("child__"),
        status__in=[CategoryStatus.CANDIDATE, CategoryStatus.VERIFIED],
    ).count()
    by_category = dict(
        assignments.filter(category_in_force_q(today))
        .order_by()
        .values_list("category")
        .annotate(n=Count("child_id", distinct=True))
    )
    return RegisterFigures(children, pending, by_category)


def child_for_user(*, user: User, pk: Any) -> Child:
    """The child with its person and division, if the user may see it; 404 otherwise."""
    return scope.get(user, Child, pk, "person", "division")


def child_for_edit(*, user: User, pk: Any) -> Child:
    """The child for an edit page: 403 for a role that may not edit the registry (before
    anything is looked up), 404 for a child out of the user's scope."""
    require(user, "registry.edit")
    return child_for_user(user=user, pk=pk)


def relation_of(*, child: Child, pk: Any) -> Relation:
    """One relation of a child already checked by `child_for_user`/`child_for_edit` (a relation
    belongs to its child's archive); 404 for a relation of another child."""
    return get_or_404(Relation.objects.filter(child_id=child.person_id), pk)


def child_relatives(child: Child) -> list[Relation]:
    """The child's relations with their relatives, in a stable order (one query)."""
    return list(
        Relation.objects.filter(child_id=child.person_id)
        .select_related("relative")
        .order_by("kind", "pk")
    )


def child_archive(*, user: User, pk: Any) -> Child:
    """Everything on a child's archive page, in a fixed number of queries; records a view."""
    child = child_for_user(user=user, pk=pk)
    relations = child_relatives(child)
    relative_ids = [r.relative_id for r in relations]
    situations: dict[int, list[Situation]] = {}
    for s in Situation.objects.filter(person_id__in=[*relative_ids, child.person_id]):
        situations.setdefault(s.person_id, []).append(s)
    for relation in relations:
        relation.situation_list = situations.get(relation.relative_id, [])
        relation.deceased = any(s.kind in DEATH_SITUATIONS for s in relation.situation_list)
    child.relation_list = relations
    child.own_situations = situations.get(child.person_id, [])
    child.category_list = list(
        child.categories.select_related(
            "proposed_by", "verified_by", "approved_by", "ended_by", "end_proposed_by"
        ).order_by("proposed_at", "pk")
    )
    child.document_list = list(child.documents.select_related("uploaded_by"))
    child.merge_list = list(
        ArchiveMerge.objects.filter(Q(kept=child) | Q(merged=child))
        .select_related("merged_by", "reverses")
        .annotate(undone=Exists(ArchiveMerge.objects.filter(reverses=OuterRef("pk"))))
        .order_by("merged_at", "pk")
    )
    child.household = child.person.household
    hukou = child.person.hukou_code
    child.hukou_place = place_name(hukou)
    audit_child(by=user, child=child, action=AuditAction.VIEW)
    return child


def place_name(code: str) -> str:
    """ "昆都仑区友谊大街街道友谊一社区" for a code in the tree (one query); "" when unknown."""
    if not code:
        return ""
    district = divisions.CODE_LENGTH[divisions.DISTRICT]
    prefixes = [c for c in (*divisions.ancestor_codes(code), code) if len(c) >= district]
    found = dict(Division.objects.filter(code__in=prefixes).values_list("code", "name"))
    return "".join(found[p] for p in prefixes if p in found) if code in found else ""


def audit_child(*, by: User, child: Child, action: str = AuditAction.CHANGE, **detail: Any) -> None:
    """Record an event about one child's data (every app's services call this)."""
    audit_object(by=by, action=action, obj=child, label=child_label(child), **detail)


def child_label(child: Child) -> str:
    """How a child is named in the audit trail: name and masked ID number."""
    person = child.person
    return f"{person.name} {mask_id_number(person.id_number)}".strip()


def document_for_user(*, user: User, pk: Any) -> Document:
    """A document of a child the user may see; 404 otherwise."""
    return scope.get(user, Document, pk, "child__person")


# The step a category assignment in this status waits for, as the capability that takes it.
WAITING_STEP: dict[str, str] = {
    CategoryStatus.CANDIDATE: "category.verify",
    CategoryStatus.VERIFIED: "category.approve",
}


def categories_waiting(user: User, status: str) -> QuerySet[CategoryAssignment] | None:
    """Category assignments waiting for the user's step: candidates to verify (category.verify),
    verified ones to approve (category.approve); None when the step is not the user's."""
    if not can(user, WAITING_STEP[status]):
        return None
    return (
        scope.visible(user, CategoryAssignment)
        .filter(status=status)
        .select_related("child__person", "child__division")
        .order_by("proposed_at", "pk")
    )


def duplicates_open(*, user: User) -> QuerySet[DuplicateReview]:
    """The open pairs of archives that may be one child, for the bureau's review (the list is
    an audited search)."""
    audit_search(by=user, object_type="child", label="疑似重复档案")
    return (
        scope.visible(user, DuplicateReview)
        .filter(status=DuplicateStatus.OPEN)
        .select_related("first__person", "first__division", "second__person", "second__division")
        .order_by("-found_at", "pk")
    )


def duplicate_for_user(*, user: User, pk: Any) -> DuplicateReview:
    """One pair of the review, or 404; both archives' view is audited."""
    review = scope.get(
        user,
        DuplicateReview,
        pk,
        "first__person",
        "first__division",
        "second__person",
        "second__division",
    )
    for child in (review.first, review.second):
        audit_child(by=user, child=child, action=AuditAction.VIEW, duplicate=review.pk)
    return review


def merge_for_user(*, user: User, pk: Any) -> ArchiveMerge:
    """One merge record, or 404; the view of the kept archive is audited."""
    merge = scope.get(user, ArchiveMerge, pk, "kept__person", "merged__person")
    audit_child(by=user, child=merge.kept, action=AuditAction.VIEW, merge=merge.pk)
    return merge


def category_for_user(*, user: User, pk: Any) -> CategoryAssignment:
    """A category assignment of a child the user may see; 404 otherwise."""
    return scope.get(user, CategoryAssignment, pk, "child__person")


EXPORT_LIMIT = 50_000


def child_export_rows(
    *, user: User, filters: ChildFilter
) -> tuple[list[exports.Column], list[list[Any]]]:
    """Columns and rows of a children-list export, as the user may see each child (ID numbers
    masked, birth date or only the age: core.masking); records one export event per child."""
    children = list(child_list(user=user, filters=filters)[:EXPORT_LIMIT])
    audit_record_many(
        by=user,
        action=AuditAction.EXPORT,
        object_type="child",
        objects=((c.pk, child_label(c)) for c in children),
    )
    birth = masking.disclosure(user).birth_date
    today = timezone.localdate()
    columns = [
        exports.Column(_("姓名")),
        exports.Column(_("公民身份号码"), exports.ID),
        exports.Column(_("性别")),
        exports.Column(_("出生日期"), exports.DATE)
        if birth
        else exports.Column(_("年龄"), exports.COUNT),
        exports.Column(_("社区/村")),
        exports.Column(_("类别")),
    ]
    rows = [
        [
            c.person.name,
            masking.shown_id(user, c.person.id_number),
            c.person.get_sex_display(),
            c.person.birth_date if birth else facts.age_on(c.person.birth_date, today),
            c.division.name,
            "、".join(
                f"{a.get_category_display()}({a.get_status_display()})"
                # django-stubs types Prefetch(to_attr=...) only inside the function that builds it
                for a in c.open_categories  # type: ignore[attr-defined]
            ),
        ]
        for c in children
    ]
    return columns, rows
