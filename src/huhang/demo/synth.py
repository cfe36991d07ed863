"""Pure row generation for the demo district: no database access, plain tuples out.

`iter_batches(ctx)` walks the communities in code order and yields each one's rows. Every
community draws from its own random.Random seeded with (seed, community code), so the same seed
and the same starting ids give the same rows; ID numbers come from one allocator shared by all
communities so that they never collide. Ages are relative to `ctx.today`, so the data of two
different days differ (a child must stay under 18).

`CommunityBuilder` holds the primitives (a person, a child, a relation, a situation, a category
with its timeline); the family stories are in cases.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from huhang.core.dates import add_months
from huhang.core.facts import age_on
from huhang.demo import divisions, names_pool
from huhang.demo.divisions import DivisionRow
from huhang.demo.identity import (
    HOME_REGION,
    IdAllocator,
    NameKeys,
    elsewhere_region,
    hukou_elsewhere,
    phone,
)
from huhang.demo.situations import Sit
from huhang.demo.tables import COLUMNS, Batch, Ids

TZ = ZoneInfo("Asia/Shanghai")

# Residents (Person rows) per size; `small` only fills the communities the tests look at.
SIZES = {"small": 360, "demo": 20_000, "district": 800_000, "large": 1_600_000}
SMALL_COMMUNITIES = (
    divisions.DIRECTOR_COMMUNITY,
    "友谊十九社区",
    divisions.DIRECTOR2_VILLAGE,
    divisions.INSTITUTION_COMMUNITY,
)
# ≈130,000 children among ≈800,000 residents.
CHILD_SHARE = 0.1625


@dataclass(frozen=True)
class Context:
    """Everything the rows depend on besides the seed: the day, the ids to start from and the
    ids of the demo accounts and the social-work organisation they refer to."""

    size: str
    seed: int
    today: date
    now: datetime
    first_ids: dict[str, int] = field(default_factory=dict)
    users: dict[str, int | None] = field(default_factory=dict)
    social_work_org: int | None = None
    taken_ids: frozenset[str] = frozenset()


def community_targets(ctx: Context) -> list[tuple[DivisionRow, int]]:
    """How many residents each populated community gets; villages are smaller."""
    places = divisions.communities()
    if ctx.size == "small":
        places = [p for p in places if p.name in SMALL_COMMUNITIES]
    rng = random.Random(f"{ctx.seed}:sizes")
    weights = [
        rng.uniform(0.3, 0.7) if p.kind == "village" else rng.uniform(0.6, 1.4) for p in places
    ]
    total, scale = SIZES[ctx.size], sum(weights)
    return [(p, round(total * w / scale)) for p, w in zip(places, weights, strict=True)]


def iter_batches(ctx: Context) -> Iterator[tuple[DivisionRow, Batch]]:
    from huhang.demo import cases  # cases imports this module

    shared = _Shared(Ids(ctx.first_ids), IdAllocator(ctx.taken_ids), NameKeys())
    for community, target in community_targets(ctx):
        builder = CommunityBuilder(ctx, community, shared)
        cases.showcase(builder)
        cases.populate(builder, target)
        yield community, builder.batch


@dataclass
class _Shared:
    ids: Ids
    allocator: IdAllocator
    keys: NameKeys


@dataclass
class Family:
    """What the members of one family share while its rows are being made."""

    names: names_pool.FamilyNames
    migrant: bool
    region: str  # where the family's ID numbers were issued (locals: the district)
    hukou: str
    household: int
    address: str
    assistance: str = ""
    assistance_since: date | None = None


class CommunityBuilder:
    """Makes the rows of one community."""

    def __init__(self, ctx: Context, community: DivisionRow, shared: _Shared) -> None:
        self.ctx = ctx
        self.today = ctx.today
        self.community = community
        self.rng = random.Random(f"{ctx.seed}:{community.code}")
        self.batch = Batch()
        self.rows = self.batch.rows
        self._shared = shared
        self.persons = 0
        self.children = 0
        street = next(r for r in divisions.division_rows() if r.code == community.code[:9])
        self.street_stem = (
            street.name.removesuffix("街道").removesuffix("镇").removesuffix("办事处")
        )
        self.is_village = community.kind == "village"
        self._compounds = self._make_compounds()
        users = ctx.users
        self.proposer = users.get(self._local_director())
        self.verifier = (
            users.get("supervisor") if street.name == divisions.DIRECTOR_STREET else None
        )
        self.bureau = users.get("bureau")
        # The browser test finds 王小海 by typing "xh": nobody else there may match it.
        self.avoid_xh = community.name == divisions.DIRECTOR_COMMUNITY

    def _local_director(self) -> str:
        name = self.community.name
        if name == divisions.DIRECTOR_COMMUNITY:
            return "director"
        return "director2" if name == divisions.DIRECTOR2_VILLAGE else ""

    # --- ids, dates and places ----------------------------------------------------------------

    def next_id(self, table: str) -> int:
        return self._shared.ids.next(table)

    def stamp(self, day: date) -> datetime:
        """A working-hours moment of `day`, never later than now."""
        moment = datetime.combine(day, time(self.rng.randint(8, 17), self.rng.randint(0, 59)), TZ)
        return min(moment, self.ctx.now)

    def birth(self, min_days: int, max_days: int) -> date:
        return self.today - timedelta(days=self.rng.randint(min_days, max_days))

    def _make_compounds(self) -> list[str]:
        rng, stem = self.rng, self.community.name.removesuffix("社区").removesuffix("村")
        if self.is_village:
            return [stem]
        generic = ("阳光小区", "幸福家园", "和平新村", "青年公寓", "康乐小区", "锦绣花园")
        picks = rng.sample(generic, 3)
        return [f"{stem}小区", f"{self.street_stem}{rng.randint(2, 30)}号街坊", *picks]

    def address(self) -> str:
        rng = self.rng
        if self.is_village:
            return f"{self._compounds[0]}村{rng.randint(1, 8)}组{rng.randint(1, 120)}号"
        compound = rng.choice(self._compounds)
        room = f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        return f"{compound}{rng.randint(1, 40)}栋{rng.randint(1, 6)}单元{room}室"

    # --- rows ---------------------------------------------------------------------------------

    def name_for(self, maker, exclude: set[str] | frozenset[str] = frozenset()) -> str:
        """Draw a name with `maker()` until it is neither reserved, nor excluded, nor (where
        needed) an "xh"."""
        for _ in range(50):
            name = maker()
            if name in names_pool.RESERVED or name in exclude:
                continue
            if self.avoid_xh and "xh" in self._shared.keys(name):
                continue
            return name
        raise RuntimeError("no acceptable name drawn")

    def person(
        self,
        name: str,
        sex: str,
        birth: date,
        *,
        fam: Family | None,
        household: int | None,
        region: str = HOME_REGION,
        hukou: str = "",
        ethnicity: str = "",
        with_id: bool = True,
        with_phone: bool = False,
    ) -> int:
        pid = self.next_id("person")
        if fam is not None:
            hukou = hukou or fam.hukou
            ethnicity = ethnicity or fam.names.ethnicity
        number = self._shared.allocator.make(region, birth, sex) if with_id else None
        tel = phone(self.rng) if with_phone else ""
        key = self._shared.keys(name)
        self.rows["person"].append(
            (pid, name, key, number, sex, birth, ethnicity, tel, hukou, household, 1, self.ctx.now)
        )
        self.persons += 1
        return pid

    def patch(self, table: str, pk: int, field_name: str, value) -> None:
        """Change one value of a row made earlier in this community (searching from the end:
        it is nearly always one of the last rows)."""
        rows, index = self.rows[table], COLUMNS[table].index(field_name)
        for i in range(len(rows) - 1, -1, -1):
            if rows[i][0] == pk:
                rows[i] = (*rows[i][:index], value, *rows[i][index + 1 :])
                return
        raise KeyError(f"{table} {pk}")

    def household(self, fam: Family, head: int | None) -> None:
        self.rows["household"].append(
            (
                fam.household,
                self.community.code,
                fam.address,
                head,
                fam.assistance,
                fam.assistance_since,
            )
        )

    def bare_household(self, address: str, head: int, hid: int) -> None:
        self.rows["household"].append((hid, self.community.code, address, head, "", None))

    def child(
        self,
        pid: int,
        birth: date,
        *,
        address: str,
        living: str = "home",
        health: str = "",
        notes: str = "",
        status: str = "active",
        registered_by_day: date | None = None,
    ) -> int:
        cid = self.next_id("child")
        school, stage = self._school(birth)
        day = self._registration_day(birth, registered_by_day)
        self.rows["child"].append(
            (
                cid,
                pid,
                self.community.code,
                address,
                living,
                school,
                stage,
                health,
                notes,
                status,
                self.stamp(day),
                self.proposer,
                1,
            )
        )
        self.children += 1
        return cid

    def _registration_day(self, birth: date, by: date | None) -> date:
        # Children were registered during screening rounds of the last few years.
        earliest = max(birth + timedelta(days=20), self.today - timedelta(days=1100))
        latest = min(by, self.today) if by else self.today
        if latest <= earliest:
            return max(birth, latest)
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def _school(self, birth: date) -> tuple[str, str]:
        age = age_on(birth, self.today)
        rng, stem = self.rng, self.street_stem
        if age < 3:
            return "", ""
        if age < 6:
            return f"昆区{stem}幼儿园", "preschool"
        if age < 12:
            return f"昆区{stem}{rng.choice(('', '第二', '实验'))}小学", "primary"
        if age < 15:
            return f"包头市第{rng.choice((9, 15, 29, 35, 45, 48, 52))}中学", "junior"
        if rng.random() < 0.2:
            return f"包头市{rng.choice(('机电', '轻工', '钢铁'))}职业技术学校", "vocational"
        return f"包头市第{rng.choice((1, 4, 9, 33, 38))}中学", "senior"

    def relation(self, child: int, relative: int, kind: str, guardian: bool, since: date) -> None:
        self.rows["relation"].append(
            (self.next_id("relation"), child, relative, kind, guardian, since)
        )

    def situation(self, pid: int, sit: Sit) -> None:
        recorded = self.stamp(
            min(sit.started_on + timedelta(days=self.rng.randint(5, 60)), self.today)
        )
        self.rows["situation"].append(
            (
                self.next_id("situation"),
                pid,
                sit.kind,
                sit.started_on,
                sit.ended_on,
                sit.detail,
                sit.evidence,
                self.bureau,
                recorded,
            )
        )

    def category(
        self,
        child: int,
        category: str,
        status: str,
        basis: str,
        event: date,
        *,
        ended_on: date | None = None,
        ended_reason: str = "",
    ) -> date | None:
        """One category with a proposed → verified → approved (→ ended) timeline starting a few
        days after `event`; returns the approval day, if any."""
        proposed, verified, approved = self._timeline(event, status)
        effective_from = approved.date() if approved else None
        effective_to = None
        ended = status == "ended" and approved is not None
        if status == "ended":
            effective_to = max(ended_on or self.today, effective_from or self.today)
        self.rows["category"].append(
            (
                self.next_id("category"),
                child,
                category,
                status,
                basis,
                effective_from,
                effective_to,
                ended_reason if status == "ended" else "",
                self.proposer,
                proposed,
                self.verifier if verified else None,
                verified,
                self.bureau if approved else None,
                approved,
                self.bureau if status == "ended" else None,
                # Four eyes: the back-dating floor of the approval; an approved category is
                # ended on the street's proposal, confirmed by the bureau.
                add_months(approved.date(), -settings.HUHANG_BACKDATE_MONTHS) if approved else None,
                self.verifier if ended else None,
                max(approved, self.stamp(effective_to)) if ended else None,
                effective_to if ended else None,
                ended_reason if ended else "",
                "",
                False,
            )
        )
        return effective_from

    def _timeline(
        self, event: date, status: str
    ) -> tuple[datetime, datetime | None, datetime | None]:
        rng = self.rng
        proposed = self.stamp(min(event + timedelta(days=rng.randint(3, 30)), self.today))
        verified = approved = None
        if status != "candidate":
            verified = self.stamp(
                min(proposed.date() + timedelta(days=rng.randint(2, 12)), self.today)
            )
            verified = max(verified, proposed)
        if status in ("approved", "ended"):
            approved = self.stamp(
                min(verified.date() + timedelta(days=rng.randint(3, 20)), self.today)
            )
            approved = max(approved, verified)
        return proposed, verified, approved

    def assign(self, child: int, since: date, reason: str) -> None:
        org = self.ctx.social_work_org
        if org is None:
            return
        self.rows["assignment"].append(
            (self.next_id("assignment"), child, org, min(since, self.today), None, reason)
        )

    def new_family(self, *, migrant: bool, ethnicity: str | None = None) -> Family:
        rng = self.rng
        ethnicity = ethnicity or names_pool.ethnicity(rng, migrant)
        names = names_pool.FamilyNames(rng, ethnicity)
        if migrant:
            region = elsewhere_region(rng, ethnicity)
            hukou = hukou_elsewhere(rng, region)
        else:
            region, hukou = HOME_REGION, self.community.code
        return Family(names, migrant, region, hukou, self.next_id("household"), self.address())
