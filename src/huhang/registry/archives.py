"""One archive per child (issue 12, part 4): finding an existing archive before a new one is
opened, the pairs sent to the bureau's review, and merging two archives of one child (and
un-merging them again). Writes here follow the rules of `registry.services`: keyword-only, the
acting user passed in, one transaction, audited.

Matching uses the linker's rules of screening (screening.analytics.linkage), in their exact form,
because here one child is looked up rather than a feed scored:

- the same ID number is the same child;
- otherwise the same normalised name (core.names), birth date and sex make a candidate, unless
  both sides carry ID numbers and they differ;
- a candidate in the same community whose 户籍地 does not disagree (core.divisions.places_disagree)
  is the child, when it is the only candidate: the new record is attached to it;
- any other candidate (another community, a 户籍地 disagreement, several candidates) is not
  linked automatically: the pair goes to review, where the bureau merges or marks it distinct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.core import divisions, names, scope
from huhang.core.access import claim, require
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.validation import required_text
from huhang.regions.models import Division
from huhang.registry.models import (
    ArchiveMerge,
    Child,
    ChildStatus,
    DuplicateReview,
    DuplicateStatus,
    Person,
    Relation,
    Situation,
)
from huhang.registry.selectors import audit_child

if TYPE_CHECKING:
    from huhang.accounts.models import User


def check_children(by: User, *child_ids: int) -> None:
    """404 unless `by` may see every one of these archives (one query): a write is scoped like
    a read, whoever calls it — a view has fetched its record through a scoped selector, the
    command line, the API or another service may not have. The registry's services check the
    archive a record belongs to (a relation's, a category's, a document's child; both archives
    of a pair or a merge), which is the rule of those records too (registry.scope)."""
    wanted = set(child_ids)
    if scope.visible(by, Child).filter(pk__in=wanted).count() != len(wanted):
        raise Http404


@dataclass
class Matches:
    """What the registry holds of a child about to be registered."""

    same: Child | None = None  # the child itself: attach, do not open a second archive
    possible: list[tuple[Child, str]] = field(default_factory=list)  # (archive, reason)


def archive_matches(
    *,
    name: str,
    sex: str,
    birth_date: date,
    division: Division,
    id_number: str | None = None,
    hukou_code: str = "",
) -> Matches:
    """The archives that are, or may be, this child (merged archives excluded)."""
    live = Child.objects.exclude(status=ChildStatus.MERGED).select_related("person", "division")
    if id_number:
        same = live.filter(person__id_number=id_number).first()
        if same is not None:
            return Matches(same=same)
    key = names.normalize(name)
    candidates = [
        c
        for c in live.filter(search_birth=birth_date, person__sex=sex).order_by("pk")
        if names.normalize(c.person.name) == key
        and not (id_number and c.person.id_number and c.person.id_number != id_number)
    ]
    found = Matches()
    for child in candidates:
        if divisions.places_disagree(hukou_code, child.person.hukou_code):
            reason = _("同名、同出生日期、同性别，但户籍地不一致")
        elif child.division_id != division.pk:
            reason = _("同名、同出生日期、同性别，所属社区不同")
        elif len(candidates) > 1:
            reason = _("同名、同出生日期、同性别，有多份相近档案")
        else:
            found.same = child
            continue
        found.possible.append((child, reason))
    return found


def duplicate_record(*, by: User | None, one: Child, other: Child, reason: str) -> DuplicateReview:
    """Send a pair to the bureau's review (once per pair). Not scoped to `by`: the system pairs
    an archive just opened with archives anywhere (another community's), for the bureau."""
    first, second = sorted((one, other), key=lambda c: c.pk)
    review, created = DuplicateReview.objects.get_or_create(
        first=first, second=second, defaults={"reason": reason[:200], "found_by": by}
    )
    if created and by is not None:
        audit_child(by=by, child=second, duplicate_of=first.pk, reason=reason)
    return review


def duplicates_record(*, by: User, child: Child, possible: list[tuple[Child, str]]) -> int:
    for other, reason in possible:
        duplicate_record(by=by, one=child, other=other, reason=reason)
    return len(possible)


@transaction.atomic
def duplicate_dismiss(*, by: User, review: DuplicateReview, note: str) -> DuplicateReview:
    """The bureau decides the pair is two children."""
    require(by, "registry.merge")
    check_children(by, review.first_id, review.second_id)
    note = required_text(note, _("请填写判断依据。"), field="note")
    _review_resolve(review, DuplicateStatus.DISTINCT, by=by, note=note)
    review.refresh_from_db()
    audit_child(by=by, child=review.second, duplicate_of=review.first_id, distinct=True)
    return review


def _review_resolve(review: DuplicateReview, status: str, *, by: User, note: str) -> None:
    """Close an open review as decided (two children, or merged); refused if someone already
    decided it."""
    claim(
        DuplicateReview.objects.filter(pk=review.pk, status=DuplicateStatus.OPEN),
        refusal=_("该疑似重复已处理，请刷新页面。"),
        status=status,
        resolved_by=by,
        resolved_at=timezone.now(),
        note=note[:200],
    )


# --- Merging ------------------------------------------------------------------------------------

# The links a merge moves besides the records that point to the archive itself: those that point
# to the child's person (family relations, situations).
PERSON_LINKS: tuple[tuple[type[models.Model], str], ...] = (
    (Relation, "child"),
    (Situation, "person"),
)
# Links to an archive that are about archives, not records of the child: never moved.
NOT_MOVED = {
    (DuplicateReview, "first"),
    (DuplicateReview, "second"),
    (ArchiveMerge, "kept"),
    (ArchiveMerge, "merged"),
    (Child, "merged_into"),
}


def _child_links() -> list[tuple[type[models.Model], str]]:
    """Every foreign key to an archive, in every app (read from the models, so that a new
    record type is moved without this module knowing it)."""
    links = []
    for rel in Child._meta.related_objects:
        model, name = rel.related_model, rel.field.name
        if (model, name) in NOT_MOVED or rel.one_to_one or rel.many_to_many:
            continue
        links.append((model, name))
    return links


def _label(model: type[models.Model], name: str) -> str:
    return f"{model._meta.label}.{name}"


def _move(rows: dict[str, list[int]], *, to: Any, links, source: Any) -> tuple[dict, dict]:
    """Point the rows of `links` from `source` to `to`, row by row in a savepoint each: a row
    that a unique rule keeps where it is (e.g. both archives have an open category of the same
    kind) stays and is reported in `left`."""
    moved: dict[str, list[int]] = {}
    left: dict[str, list[int]] = {}
    for model, name in links:
        label = _label(model, name)
        pks = rows.get(label) if rows else None
        if pks is None:
            pks = list(model._default_manager.filter(**{name: source}).values_list("pk", flat=True))
        for pk in pks:
            try:
                with transaction.atomic():
                    model._default_manager.filter(pk=pk).update(**{name: to})
            except IntegrityError:
                left.setdefault(label, []).append(pk)
            else:
                moved.setdefault(label, []).append(pk)
    return moved, left


@transaction.atomic
def child_merge(
    *, by: User, keep: Child, gone: Child, reason: str, review: DuplicateReview | None = None
) -> ArchiveMerge:
    """Merge `gone` into `keep`: every record moves, `gone` is closed as 已合并 and points to
    `keep`; the ID number moves too when only `gone` had one. Audited on both archives."""
    require(by, "registry.merge")
    pair = (review.first_id, review.second_id) if review is not None else ()
    check_children(by, keep.pk, gone.pk, *pair)
    reason = required_text(reason, _("合并档案须填写原因。"), field="reason")
    if keep.pk == gone.pk:
        raise DomainError(_("不能将档案与其自身合并。"))
    keep = Child.objects.select_related("person").get(pk=keep.pk)
    gone = Child.objects.select_related("person").get(pk=gone.pk)
    if ChildStatus.MERGED in (keep.status, gone.status):
        raise InvalidTransition(_("已合并的档案不能再合并。"))
    if keep.person.id_number and gone.person.id_number:
        raise DomainError(_("两份档案的公民身份号码不同，不是同一儿童，不能合并。"))
    # Claim the merged archive first: of two merges of the same archive, one goes on.
    claim(
        Child.objects.filter(pk=gone.pk).exclude(status=ChildStatus.MERGED),
        refusal=_("该档案已被合并，请刷新页面。"),
        status=ChildStatus.MERGED,
        merged_into=keep,
        version=F("version") + 1,
    )
    moved, left = _move({}, to=keep, links=_child_links(), source=gone)
    person_moved, person_left = _move({}, to=keep.person, links=PERSON_LINKS, source=gone.person)
    detail: dict[str, Any] = {"status": gone.status}
    if gone.person.id_number and not keep.person.id_number:
        _move_id_number(source=gone, target=keep)
        detail["id_number_moved"] = True
    merge = ArchiveMerge.objects.create(
        kept=keep,
        merged=gone,
        reason=reason[:200],
        moved=moved | person_moved,
        left=left | person_left,
        detail=detail,
        merged_by=by,
    )
    if review is not None:
        _review_resolve(review, DuplicateStatus.MERGED, by=by, note=reason)
    counts = {k: len(v) for k, v in merge.moved.items()}
    audit_child(by=by, child=keep, merged_from=gone.pk, merge=merge.pk, moved=counts)
    audit_child(by=by, child=gone, merged_into=keep.pk, merge=merge.pk, left=merge.left)
    return merge


@transaction.atomic
def child_unmerge(*, by: User, merge: ArchiveMerge, reason: str) -> ArchiveMerge:
    """Reverse a merge with a second record: the rows it moved go back to the merged archive,
    which is open again with its former status (and its ID number, if it had moved)."""
    require(by, "registry.merge")
    check_children(by, merge.kept_id, merge.merged_id)
    reason = required_text(reason, _("撤销合并须填写原因。"), field="reason")
    if merge.reverses_id is not None:
        raise InvalidTransition(_("这是一条撤销记录，不能再撤销。"))
    if ArchiveMerge.objects.filter(reverses=merge).exists():
        raise InvalidTransition(_("该合并已撤销。"))
    kept = Child.objects.select_related("person").get(pk=merge.kept_id)
    gone = Child.objects.select_related("person").get(pk=merge.merged_id)
    claim(
        Child.objects.filter(pk=gone.pk, status=ChildStatus.MERGED, merged_into=kept),
        refusal=_("该档案当前不是合并状态，无法撤销。"),
        status=merge.detail.get("status", ChildStatus.ACTIVE),
        merged_into=None,
        version=F("version") + 1,
    )
    links = {_label(m, n): (m, n) for m, n in (*_child_links(), *PERSON_LINKS)}
    child_rows = {
        k: v
        for k, v in merge.moved.items()
        if k in links and links[k][0] not in (Relation, Situation)
    }
    person_rows = {
        k: v for k, v in merge.moved.items() if k in links and links[k][0] in (Relation, Situation)
    }
    try:
        with transaction.atomic():
            for label, pks in child_rows.items():
                model, name = links[label]
                model._default_manager.filter(pk__in=pks).update(**{name: gone})
            for label, pks in person_rows.items():
                model, name = links[label]
                model._default_manager.filter(pk__in=pks).update(**{name: gone.person})
    except IntegrityError as exc:
        raise DomainError(
            _("撤销合并失败：部分记录已与合并后档案的其他记录冲突，请联系管理员。")
        ) from exc
    if merge.detail.get("id_number_moved"):
        _move_id_number(source=kept, target=gone)
    reverse = ArchiveMerge.objects.create(
        kept=kept,
        merged=gone,
        reverses=merge,
        reason=reason[:200],
        moved=merge.moved,
        detail={"unmerge": True},
        merged_by=by,
    )
    audit_child(by=by, child=kept, unmerged=gone.pk, merge=merge.pk, reverse=reverse.pk)
    audit_child(by=by, child=gone, unmerged_from=kept.pk, merge=merge.pk, reverse=reverse.pk)
    return reverse


def _move_id_number(*, source: Child, target: Child) -> None:
    """Move the ID number from one archive's person to the other's: saved through the model, so
    that the ciphertext, its blind index, its last digits and both children's search copies
    follow (core.crypto); the source's is cleared first (the blind index is unique)."""
    source_person = Person.objects.get(pk=source.person_id)
    target_person = Person.objects.get(pk=target.person_id)
    id_number = source_person.id_number
    fields = ["id_number", "id_index", "id_last"]
    source_person.id_number = None
    source_person.clean()
    source_person.save(update_fields=fields)
    target_person.id_number = id_number
    target_person.clean()
    target_person.save(update_fields=fields)
    for child, person in ((source, source_person), (target, target_person)):
        row = Child.objects.get(pk=child.pk)
        row.copy_search_fields(person)
        row.save(update_fields=["search_name", "search_id", "search_last", "search_birth"])
