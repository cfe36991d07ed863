"""The synthetic demo district (昆都仑区): divisions, organisations, demo accounts and people.

`generate(size, seed)` is what `huhang demo_data` runs. It is safe to run again: divisions,
organisations and accounts are created when missing and the accounts' roles, scopes and
passwords are reset; the people are made once. If the district already holds children, the
people step says so and leaves everything as it is (to load another size, use a fresh data
directory). Rows that were there before (other districts, real data) are never touched.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from huhang.accounts.models import Organisation, User
from huhang.core.roles import Role
from huhang.regions.models import Division
from huhang.registry.models import CategoryAssignment, Child, Household, Person
from huhang.registry.services import child_search_fields_refresh

from . import casework, community, divisions, funds, loader, synth
from .divisions import DivisionRow
from .tables import Batch

DEFAULT_SEED = 150203
SIZES = tuple(synth.SIZES)
# Demo data only: every demo account has this password (printed by the command).
DEMO_PASSWORD = "huhang-demo"


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    kind: str
    department: str = ""
    division: str = divisions.DISTRICT[0]
    contact: str = ""


ORGANISATIONS = (
    # The purchased-service social-work project of DOMAIN.md's case work.
    OrgSpec(
        "social_work", "童心有梦社会工作服务中心", "social_work", contact="刘红梅 0472-5123456"
    ),
    OrgSpec("charity", "包头市慈善总会", "charity", division=divisions.CITY[0]),
    OrgSpec("education", "昆都仑区教育局", "department", department="education"),
)


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    last_name: str
    first_name: str
    division: str | None = None  # a division name of the demo tree
    organisation: str | None = None  # an OrgSpec key
    staff: bool = False  # may open the Django admin (三员分立's system and security administrators)


ACCOUNTS = (
    AccountSpec("bureau", Role.BUREAU, "赵", "敏", division=divisions.DISTRICT[1]),
    AccountSpec("bureau2", Role.BUREAU, "钱", "立新", division=divisions.DISTRICT[1]),
    AccountSpec("supervisor", Role.SUPERVISOR, "李", "建华", division=divisions.DIRECTOR_STREET),
    AccountSpec("director", Role.DIRECTOR, "王", "芳", division=divisions.DIRECTOR_COMMUNITY),
    AccountSpec("director2", Role.DIRECTOR, "", "乌云", division=divisions.DIRECTOR2_VILLAGE),
    AccountSpec("socialworker", Role.SOCIAL_WORKER, "陈", "静", organisation="social_work"),
    AccountSpec("partner", Role.PARTNER, "刘", "洋", organisation="charity"),
    AccountSpec("dataofficer", Role.DATA_OFFICER, "孙", "磊", organisation="education"),
    AccountSpec("auditor", Role.AUDITOR, "周", "国强", division=divisions.DISTRICT[1]),
    # 三员分立: none of the three reads a child's data.
    AccountSpec(
        "sysadmin", Role.SYSTEM_ADMIN, "吴", "昊", division=divisions.DISTRICT[1], staff=True
    ),
    AccountSpec(
        "secadmin", Role.SECURITY_ADMIN, "郑", "安", division=divisions.DISTRICT[1], staff=True
    ),
    AccountSpec("auditadmin", Role.AUDIT_ADMIN, "冯", "审", division=divisions.DISTRICT[1]),
)


class Progress:
    """One line per phase with counts and the time since the start; silent without stdout."""

    def __init__(self, stdout: TextIO | None) -> None:
        self._out = stdout
        self._start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self._start

    def __call__(self, text: str) -> None:
        if self._out is not None:
            self._out.write(f"{text}（{self.elapsed:.1f} 秒）\n")


def generate(size: str = "demo", seed: int = DEFAULT_SEED, stdout: TextIO | None = None) -> dict:
    """Load the demo district; returns the counts of what was made (or is already there)."""
    if size not in synth.SIZES:
        raise ValueError(f"unknown size {size!r}; one of {', '.join(SIZES)}")
    progress = Progress(stdout)
    with transaction.atomic():
        made = ensure_divisions(stdout)
        progress(f"行政区划：新建 {made} 个（昆都仑区共 {len(divisions.division_rows()) - 2} 个）")
        orgs = ensure_organisations()
        users = ensure_accounts(orgs)
        progress(f"机构 {len(orgs)} 个，演示账号 {len(users)} 个")
    if people_loaded():
        counts = existing_counts()
        progress(f"人员数据已存在（儿童 {counts['children']:,} 名），未重复生成")
        casework.load(progress)
        funds.load(progress)
        community.load(progress)
        return {"size": size, "seed": seed, "created": False, **counts}
    ctx = synth.Context(
        size=size,
        seed=seed,
        today=timezone.localdate(),
        now=timezone.now(),
        first_ids=loader.first_ids(),
        users=users,
        social_work_org=orgs["social_work"],
        taken_ids=_taken_id_numbers(),
    )
    counts = load_people(ctx, progress)
    casework.load(progress)
    funds.load(progress)
    community.load(progress)
    return {"size": size, "seed": seed, "created": True, **counts}


# --- divisions, organisations, accounts -------------------------------------------------------


def ensure_divisions(stdout: TextIO | None = None) -> int:
    """Create the divisions that are missing; existing ones (same code) are left as they are."""
    rows = divisions.division_rows()
    existing = dict(
        Division.objects.filter(code__in=[r.code for r in rows]).values_list("code", "name")
    )
    missing = [r for r in rows if r.code not in existing]
    Division.objects.bulk_create(
        Division(code=r.code, name=r.name, level=r.level, kind=r.kind, parent_id=r.parent)
        for r in missing
    )
    if stdout is not None:
        for r in rows:
            if r.code in existing and existing[r.code] != r.name:
                stdout.write(f"注意：区划 {r.code} 已存在，名称为“{existing[r.code]}”，保留原名\n")
    return len(missing)


def ensure_organisations() -> dict[str, int]:
    ids = {}
    for spec in ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "department": spec.department,
                "division_id": spec.division,
                "contact": spec.contact,
            },
        )
        ids[spec.key] = org.pk
    return ids


def ensure_accounts(orgs: dict[str, int]) -> dict[str, int]:
    """Create or reset the demo accounts; returns username -> id."""
    # One hash for all: hashing is deliberately slow and these passwords are public anyway.
    encoded = make_password(DEMO_PASSWORD)
    ids = {}
    for spec in ACCOUNTS:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.role = spec.role
        user.division_id = divisions.code_of(spec.division) if spec.division else None
        user.organisation_id = orgs[spec.organisation] if spec.organisation else None
        user.last_name, user.first_name = spec.last_name, spec.first_name
        user.is_active = True
        user.is_staff = spec.staff
        user.password = encoded
        user.save()
        ids[spec.username] = user.pk
    return ids


def accounts_table() -> list[tuple[str, str, str]]:
    """(username, role label, scope) of every demo account, for the closing message."""
    rows = []
    for spec in ACCOUNTS:
        if spec.division:
            row = next(r for r in divisions.division_rows() if r.name == spec.division)
            scope = _full_name(row)
        else:
            scope = next(o.name for o in ORGANISATIONS if o.key == spec.organisation)
        rows.append((spec.username, str(Role(spec.role).label), scope))
    return rows


def _full_name(row: DivisionRow) -> str:
    by_code = {r.code: r for r in divisions.division_rows()}
    parts = [row.name]
    while row.parent and len(row.parent) >= 6:
        row = by_code[row.parent]
        parts.append(row.name)
    return "".join(reversed(parts))


# --- people -------------------------------------------------------------------------------------


def people_loaded() -> bool:
    return Child.objects.filter(division__code__startswith=divisions.DISTRICT[0]).exists()


def _taken_id_numbers() -> frozenset[str]:
    # Only needed when the database already holds people of some other origin.
    if not Person.objects.exists():
        return frozenset()
    return frozenset(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))


def load_people(ctx: synth.Context, progress: Progress) -> dict:
    totals: Counter[str] = Counter()
    categories: Counter[tuple[str, str]] = Counter()
    writers = loader.writers()
    with _no_gc(), transaction.atomic(), connection.cursor() as cursor:
        for street, batches in _by_street(synth.iter_batches(ctx)):
            street_totals: Counter[str] = Counter()
            for batch in batches:
                loader.write_batch(cursor, writers, batch.rows)
                street_totals.update({t: len(r) for t, r in batch.rows.items()})
                categories.update((row[2], row[3]) for row in batch.rows["category"])
            totals.update(street_totals)
            progress(
                f"  {street}：人员 {street_totals['person']:,}，儿童 {street_totals['child']:,}"
                f"（累计人员 {totals['person']:,}）"
            )
        loader.reset_sequences(cursor)
        child_search_fields_refresh(Child.objects.filter(search_birth__isnull=True))
    _optimize()
    counts = _summary(totals, categories)
    progress(f"人员 {counts['persons']:,} 人，其中儿童档案 {counts['children']:,} 份")
    return counts


@contextmanager
def _no_gc():
    """The rows are millions of small tuples without cycles: the cyclic garbage collector would
    rescan them again and again for nothing (a third of the time for a district)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _by_street(batches: Iterator[tuple[DivisionRow, Batch]]):
    """The community batches grouped by street, lazily (a street's rows are never all kept)."""
    names = {r.code: r.name for r in divisions.division_rows()}
    for street, group in groupby(batches, key=lambda item: item[0].parent):
        yield names[street], (batch for _, batch in group)


def _optimize() -> None:
    # Fresh statistics let SQLite's planner use the new indexes well on the first page view.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")


def _summary(totals: Counter, categories: Counter) -> dict:
    by_category: dict[str, dict[str, int]] = {}
    for (category, status), n in sorted(categories.items()):
        by_category.setdefault(category, {})[status] = n
    return {
        "persons": totals["person"],
        "households": totals["household"],
        "children": totals["child"],
        "relations": totals["relation"],
        "situations": totals["situation"],
        "assignments": totals["assignment"],
        "categories": by_category,
        "approved": {c: s.get("approved", 0) for c, s in by_category.items()},
    }


def existing_counts() -> dict:
    """The same summary, read from the database (persons: every person row it holds)."""
    district = divisions.DISTRICT[0]
    rows = (
        CategoryAssignment.objects.filter(child__division__code__startswith=district)
        .values_list("category", "status")
        .annotate(n=Count("id"))
    )
    categories = Counter({(c, s): n for c, s, n in rows})
    totals = Counter(
        person=Person.objects.count(),
        household=Household.objects.filter(division__code__startswith=district).count(),
        child=Child.objects.filter(division__code__startswith=district).count(),
    )
    return _summary(totals, categories)
