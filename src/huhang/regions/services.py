"""Writes to the division tree: loading the official table (`divisions_load`) and a 区划调整,
a division renamed or merged into another (`divisions_rename`).

Both are set-based (one query per table and chunk, never one per division), run in one
transaction and are audited. They are the operator's work at the server's console
(`huhang divisions`), so `by` may be None.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.core import divisions
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.regions import table
from huhang.regions.models import Division, DivisionAlias

Actor = AbstractBaseUser | None

_CHUNK = 500  # rows per bulk statement; CASE branches per UPDATE
_CODE = re.compile(r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$")


# --- loading the official table ------------------------------------------------------------------


@dataclass
class LoadSummary:
    root: str
    root_name: str
    created: int = 0
    renamed: int = 0
    unchanged: int = 0
    retired: int = 0  # rows of the table whose code was retired here (区划调整): not loaded
    outside: int = 0  # rows of the bureau's files outside the root: not loaded

    def line(self) -> str:
        text = _(
            "区划 %(root)s %(name)s：新增 %(created)s 个，更名 %(renamed)s 个，未变 %(unchanged)s 个。"
        ) % {
            "root": self.root,
            "name": self.root_name,
            "created": self.created,
            "renamed": self.renamed,
            "unchanged": self.unchanged,
        }
        if self.retired:
            text += _("已调整（撤销）的代码 %(n)s 个未导入。") % {"n": self.retired}
        if self.outside:
            text += _("文件中根区划以外的 %(n)s 行未导入。") % {"n": self.outside}
        return text


def divisions_load(*, by: Actor, root: str, files: Sequence[Path] = ()) -> LoadSummary:
    """Load the shipped table for `root` (its ancestors and subtree down to streets and towns)
    and the community and village rows under it from the bureau's `files`.

    Idempotent: a division already there keeps its code and gets the table's name and kind; a
    division the table does not have is left alone; a code retired by a 区划调整 is not brought
    back. Every file is checked before anything is written: a fault refuses the whole load."""
    rows = table.shipped_rows(root)
    summary = LoadSummary(root=root, root_name=next(r.name for r in rows if r.code == root))
    existing = {d.code: d for d in Division.objects.filter(_tree_q(root))}
    streets = {r.code for r in rows if r.level == divisions.STREET}
    streets |= {c for c in existing if len(c) == divisions.CODE_LENGTH[divisions.STREET]}
    for path in files:
        found = table.bureau_rows(Path(path), root=root, streets=streets)
        rows += found.rows
        summary.outside += found.outside
    retired = set(
        DivisionAlias.objects.filter(code__in=[r.code for r in rows]).values_list("code", flat=True)
    )
    summary.retired = sum(r.code in retired for r in rows)
    rows = [r for r in rows if r.code not in retired]
    _refuse_orphans(rows, existing)
    new, changed = [], []
    for r in rows:
        found_division = existing.get(r.code)
        if found_division is None:
            new.append(Division(code=r.code, name=r.name, level=r.level, kind=r.kind))
            new[-1].parent_id = r.parent
        elif (found_division.name, found_division.kind) != (r.name, r.kind):
            found_division.name, found_division.kind = r.name, r.kind
            changed.append(found_division)
    summary.created, summary.renamed = len(new), len(changed)
    summary.unchanged = len(rows) - len(new) - len(changed)
    with transaction.atomic():
        # Parents first: the rows come level by level, and bulk_create keeps their order.
        Division.objects.bulk_create(sorted(new, key=lambda d: d.level), batch_size=_CHUNK)
        Division.objects.bulk_update(changed, ["name", "kind"], batch_size=_CHUNK)
        audit_record(
            by=by,
            action=AuditAction.CHANGE,
            object_type="division",
            object_id=root,
            label=summary.line(),
            detail={
                "files": [Path(p).name for p in files],
                "created": summary.created,
                "renamed": summary.renamed,
                "unchanged": summary.unchanged,
                "retired": summary.retired,
                "outside": summary.outside,
            },
        )
    return summary


def _tree_q(root: str) -> Q:
    return divisions.subtree_q(root) | Q(code__in=divisions.ancestor_codes(root))


def _refuse_orphans(rows: list[table.Row], existing: Mapping[str, Division]) -> None:
    """A row whose parent is neither loaded nor there (its street was retired, say) is refused."""
    present = set(existing) | {r.code for r in rows}
    lost = [r for r in rows if r.parent and r.parent not in present]
    if lost:
        raise table.TableError(
            _("以下区划的上级不存在（可能已调整），未导入任何区划：%(codes)s")
            % {"codes": "、".join(f"{r.code} {r.name}" for r in lost[:20])}
        )


# --- 区划调整: renaming or merging divisions ------------------------------------------------------


@dataclass
class RenameSummary:
    changes: dict[str, str]  # every old code → new code, the descendants included
    created: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # "app.model.field" → rows moved
    root_retired: bool = False

    def line(self) -> str:
        text = _(
            "区划调整：%(n)s 个区划改用新代码（新建 %(created)s 个），迁移记录 %(moved)s 条。"
        ) % {
            "n": len(self.changes),
            "created": len(self.created),
            "moved": sum(self.moved.values()),
        }
        if self.root_retired:
            text += _("注意：本系统的根区划已调整，请修改 HUHANG_ROOT_DIVISION。")
        return text


def divisions_rename(
    *,
    by: Actor,
    changes: Mapping[str, str],
    names: Mapping[str, str] | None = None,
    on: date | None = None,
    note: str = "",
    root: str = "",
) -> RenameSummary:
    """Retire each old code of `changes` in favour of its new code, in one transaction.

    The new division is created (named from `names`, else after the old one) unless it exists
    (a merge). The old division's descendants follow it: each keeps its own digits under the
    new code (150203001003 → 150203005003) unless `changes` gives it a code of its own. Every
    row that points at an old division — found by walking the foreign keys to Division, so a
    new model is covered without being listed here — then points at its new one; the old
    divisions leave the tree and stay as `DivisionAlias` rows (old code, name, the successor),
    through which feeds that still write an old code are routed. Audit events, leads' and link
    reviews' codes as the feeds wrote them, and other history are not rewritten."""
    names = dict(names or {})
    on = on or timezone.localdate()
    explicit = _checked(changes)
    with transaction.atomic():
        live = _live(explicit)
        full = _expanded(explicit, live)
        summary = RenameSummary(changes=full)
        summary.created = _successors_create(full, explicit, live, names)
        try:
            with transaction.atomic():
                summary.moved = _references_move(full)
        except IntegrityError as exc:
            raise table.TableError(
                _("合并后会出现重复记录，区划调整未执行：%(reason)s") % {"reason": exc}
            ) from exc
        DivisionAlias.objects.bulk_create(
            DivisionAlias(
                code=old,
                name=live[old].name,
                level=live[old].level,
                kind=live[old].kind,
                parent_code=live[old].parent_id or "",
                division_id=new,
                retired_on=on,
                note=note[:200],
            )
            for old, new in full.items()
        )
        _olds_delete(full)
        summary.root_retired = bool(root) and root in full
        audit_record(
            by=by,
            action=AuditAction.CHANGE,
            object_type="division",
            object_id=",".join(sorted(explicit)),
            label=summary.line(),
            detail={
                "changes": full,
                "created": summary.created,
                "moved": summary.moved,
                "on": on.isoformat(),
                "note": note,
            },
        )
    return summary


def _checked(changes: Mapping[str, str]) -> dict[str, str]:
    """The explicit changes, refused whole at the first code of a wrong shape."""
    out: dict[str, str] = {}
    if not changes:
        raise table.TableError(_("没有给出要调整的区划代码。"))
    for old, new in changes.items():
        old, new = str(old).strip(), str(new).strip()
        for code in (old, new):
            if not _CODE.match(code):
                raise table.TableError(
                    _("区划代码 “%(code)s” 无效：应为2、4、6、9或12位数字。") % {"code": code[:40]}
                )
        if len(old) != len(new):
            raise table.TableError(
                _("%(old)s 与 %(new)s 不是同一层级的代码（位数不同）。") % {"old": old, "new": new}
            )
        if old == new:
            raise table.TableError(_("%(code)s 的新旧代码相同。") % {"code": old})
        out[old] = new
    both = sorted(set(out) & set(out.values()))
    if both:
        raise table.TableError(
            _("代码 %(codes)s 既是旧代码又是新代码：请分两次调整。") % {"codes": "、".join(both)}
        )
    return out


def _live(explicit: Mapping[str, str]) -> dict[str, Division]:
    """The old divisions and all their descendants, locked against concurrent edits; refuses an
    old code that is not a division here."""
    wanted = Q(code__in=list(explicit))
    for old in explicit:
        wanted |= divisions.subtree_q(old)
    live = {d.code: d for d in Division.objects.select_for_update().filter(wanted)}
    for old in explicit:
        if old in live:
            continue
        alias = DivisionAlias.objects.filter(code=old).first()
        if alias is not None:
            raise table.TableError(
                _("区划 %(old)s 已调整为 %(new)s。") % {"old": old, "new": alias.division_id}
            )
        raise table.TableError(_("没有区划 %(code)s。") % {"code": old})
    return live


def _expanded(explicit: Mapping[str, str], live: Mapping[str, Division]) -> dict[str, str]:
    """Every old code → new code: the explicit ones and each descendant of an old division,
    which keeps its own digits under its parent's new code unless given one explicitly."""
    full = dict(explicit)
    for code in sorted(live, key=len):
        if code in full:
            continue
        parent = live[code].parent_id
        if parent in full:
            full[code] = full[parent] + code[len(parent) :]
    taken = set(
        Division.objects.filter(code__in=[n for o, n in full.items() if o not in explicit])
        .exclude(code__in=list(full))
        .values_list("code", flat=True)
    )
    news = Counter(full.values())
    clash = sorted(o for o, n in full.items() if o not in explicit and (n in taken or news[n] > 1))
    if clash:
        raise table.TableError(
            _("下级区划的新代码已被占用：%(pairs)s。请用对照文件为这些下级区划指定新代码。")
            % {"pairs": "、".join(f"{o} → {full[o]}" for o in clash[:20])}
        )
    retired = set(
        DivisionAlias.objects.filter(code__in=list(full.values())).values_list("code", flat=True)
    )
    if retired:
        raise table.TableError(
            _("新代码 %(codes)s 是已调整（撤销）的旧代码，不能再用。")
            % {"codes": "、".join(sorted(retired))}
        )
    moving = set(full.values()) & set(full)
    if moving:
        raise table.TableError(
            _("代码 %(codes)s 既是旧代码又是新代码：请分两次调整。")
            % {"codes": "、".join(sorted(moving))}
        )
    return full


def _successors_create(
    full: Mapping[str, str],
    explicit: Mapping[str, str],
    live: Mapping[str, Division],
    names: Mapping[str, str],
) -> list[str]:
    """Create the new divisions that do not exist yet (parents first); name a merge target when
    a name is given. Returns the codes created."""
    targets: dict[str, list[str]] = {}
    for old, new in full.items():
        targets.setdefault(new, []).append(old)
    present = set(Division.objects.filter(code__in=list(targets)).values_list("code", flat=True))
    final = present | set(targets)
    made: list[Division] = []
    for new in sorted(targets, key=len):
        olds = sorted(targets[new])
        parent = new[: _parent_length(new)] if len(new) > 2 else None
        if parent is not None and parent not in final and not _exists_outside(parent, full):
            raise table.TableError(
                _("新代码 %(code)s 的上级区划 %(parent)s 不存在。")
                % {"code": new, "parent": parent}
            )
        if new in present:
            if new in names:
                Division.objects.filter(code=new).update(name=names[new])
            continue
        name = names.get(new) or _one_name(new, [live[o].name for o in olds])
        division = Division(code=new, name=name, level=live[olds[0]].level, kind=live[olds[0]].kind)
        division.parent_id = parent
        made.append(division)
    for division in made:  # the parent may be one of `made`: bulk_create checks it
        division.full_clean(exclude=["parent"], validate_unique=False, validate_constraints=False)
    Division.objects.bulk_create(made, batch_size=_CHUNK)
    return [d.code for d in made]


def _parent_length(code: str) -> int:
    return max(n for n in divisions.CODE_LENGTH.values() if n < len(code))


def _exists_outside(code: str, full: Mapping[str, str]) -> bool:
    """A live division that is not being retired."""
    return code not in full and Division.objects.filter(code=code).exists()


def _one_name(new: str, olds: list[str]) -> str:
    if len(set(olds)) > 1:
        raise table.TableError(
            _("%(n)s 个区划合并为新代码 %(code)s：请给出它的名称。") % {"n": len(olds), "code": new}
        )
    return olds[0]


def division_references() -> Iterable[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key to Division in the project, many-to-many tables included: found through
    the app registry, so that a model added later moves with a 区划调整 without being listed."""
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is Division:
                yield model, f


def _references_move(full: Mapping[str, str]) -> dict[str, int]:
    """Point every reference to an old division at its new one: one UPDATE per foreign key and
    chunk of changes, the new code chosen by a CASE on the old one."""
    moved: dict[str, int] = {}
    pairs = sorted(full.items())
    for model, fk in division_references():
        if model._meta.auto_created:
            _duplicates_drop(model, fk, full)
        count = 0
        for start in range(0, len(pairs), _CHUNK):
            chunk = pairs[start : start + _CHUNK]
            new_code = Case(
                *(When(**{fk.attname: old}, then=Value(new)) for old, new in chunk),
                output_field=models.CharField(),
            )
            rows = model._base_manager.filter(**{f"{fk.attname}__in": [o for o, _n in chunk]})
            if model is Division:  # the old divisions' own rows leave the tree anyway
                rows = rows.exclude(code__in=list(full))
            count += rows.update(**{fk.attname: new_code})
        if count:
            moved[f"{model._meta.label_lower}.{fk.name}"] = count
    return moved


def _duplicates_drop(
    model: type[models.Model], fk: models.ForeignKey, full: Mapping[str, str]
) -> None:
    """In a many-to-many table, a row that would duplicate another once moved (a resource
    offered to both merged streets) is dropped instead."""
    other = next(
        f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey) and f is not fk
    )
    rows = model._base_manager.filter(**{f"{fk.attname}__in": [*full, *full.values()]}).values_list(
        "pk", other.attname, fk.attname
    )
    kept: set[tuple[object, str]] = set()
    drop = []
    # Rows already at a new code first: those stay.
    for pk, owner, code in sorted(rows, key=lambda r: r[2] in full):
        key = (owner, full.get(code, code))
        if key in kept:
            drop.append(pk)
        else:
            kept.add(key)
    model._base_manager.filter(pk__in=drop).delete()


def _olds_delete(full: Mapping[str, str]) -> None:
    """The old divisions leave the tree, deepest first (their parent keys protect them)."""
    for length in sorted({len(c) for c in full}, reverse=True):
        Division.objects.filter(code__in=[c for c in full if len(c) == length]).delete()
