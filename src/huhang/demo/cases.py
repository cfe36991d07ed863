"""Family stories of the demo district, each written with CommunityBuilder's primitives.

Most families are ordinary; per family, with the district's rates (DOMAIN.md): about 1 in 1,000
children is an orphan, 1 in 1,000 DFUC, 10 in 1,000 in difficulty, 30 in 1,000 left behind, and
15% are migrants. A fixed set of showcase families is placed where the demo accounts work (王小海
in the director's community, every category and status at least once), whatever the size.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from huhang.demo import divisions, situations
from huhang.demo.identity import HOME_REGION, NEARBY_REGIONS, region_name
from huhang.demo.names_pool import FamilyNames, foreign_mongolian
from huhang.demo.situations import Sit, add_years, days_ago
from huhang.demo.synth import CHILD_SHARE, CommunityBuilder, Family, community_targets

# Per-family probabilities (cumulative order: orphan, DFUC, difficulty, left behind, migrant).
P_ORPHAN = 0.001
P_DFUC = 0.001
P_DIFFICULTY = 0.010
# Only children under 16 can be left behind: 30 per 1,000 children overall.
P_LEFT_BEHIND = 0.030 * 18 / 16
P_MIGRANT = 0.15
P_NO_ID = 0.004  # migrant children who have no ID number yet

_STATUS_MIX = {
    "orphan": (("approved", 90), ("verified", 5), ("candidate", 5)),
    "dfuc": (("approved", 85), ("verified", 5), ("candidate", 5), ("ended", 5)),
    "difficulty": (("approved", 80), ("verified", 7), ("candidate", 8), ("ended", 5)),
    "left_behind": (("approved", 70), ("verified", 10), ("candidate", 10), ("ended", 10)),
    "migrant": (("approved", 75), ("verified", 10), ("candidate", 10), ("ended", 5)),
}
# `household=FAMILY_HOME`: the family's household (None: no household at all).
FAMILY_HOME = -1
_KID_MAX_DAYS = 18 * 365 - 5  # always under 18
_UNDER_16_DAYS = 16 * 365 - 5
_SERVICE_REASONS = (
    "个案服务：综合评估",
    "个案服务：心理疏导",
    "个案服务：学业辅导",
    "个案服务：家庭关系调适",
)
_WORK_PLACES = ("鄂尔多斯", "呼和浩特", "北京", "天津", "巴彦淖尔", "乌海", "西安", "银川")


class Kid(NamedTuple):
    person: int
    child: int
    birth: date
    sex: str


class Member(NamedTuple):
    person: int
    kind: str  # the relation kind as seen from the children


# --- the population ---------------------------------------------------------------------------


def populate(b: CommunityBuilder, target: int) -> None:
    """Households until the community has `target` residents, keeping ≈16% of them children."""
    while b.persons < target:
        if b.children <= CHILD_SHARE * b.persons:
            family(b)
        else:
            adults_household(b)


def family(b: CommunityBuilder) -> None:
    roll = b.rng.random()
    for limit, story in (
        (P_ORPHAN, orphan),
        (P_ORPHAN + P_DFUC, dfuc),
        (P_ORPHAN + P_DFUC + P_DIFFICULTY, difficulty),
        (P_ORPHAN + P_DFUC + P_DIFFICULTY + P_LEFT_BEHIND, left_behind),
        (P_ORPHAN + P_DFUC + P_DIFFICULTY + P_LEFT_BEHIND + P_MIGRANT, migrant),
    ):
        if roll < limit:
            story(b)
            return
    ordinary(b)


def roll_status(b: CommunityBuilder, category: str) -> str:
    statuses, weights = zip(*_STATUS_MIX[category], strict=True)
    return b.rng.choices(statuses, weights=weights)[0]


# --- members ----------------------------------------------------------------------------------


def kid_births(
    b: CommunityBuilder, n: int | None = None, *, max_days: int = _KID_MAX_DAYS, min_days: int = 20
) -> list[date]:
    """Birth dates of siblings, oldest first, 1 to 6 years apart."""
    rng = b.rng
    if n is None:
        n = rng.choices((1, 2, 3), weights=(55, 38, 7))[0]
    births = [b.birth(min_days, max_days)]
    for _ in range(n - 1):
        nxt = births[-1] + timedelta(days=rng.randint(400, 2200))
        if nxt > b.today - timedelta(days=min_days):
            break
        births.append(nxt)
    return births


def parent_births(b: CommunityBuilder, oldest: date) -> tuple[date, date]:
    rng = b.rng
    mother = oldest - timedelta(days=rng.randint(21 * 365, 37 * 365))
    father = mother - timedelta(days=rng.randint(-2 * 365, 6 * 365))
    return father, mother


def adult_region(b: CommunityBuilder, fam: Family) -> str:
    # Many locals were born before their family moved into the district.
    if fam.migrant:
        return fam.region
    return HOME_REGION if b.rng.random() < 0.8 else b.rng.choice(NEARBY_REGIONS)


def adult(
    b: CommunityBuilder,
    fam: Family,
    sex: str,
    birth: date,
    *,
    spouse: bool = False,
    father: str = "",
    household: int | None = FAMILY_HOME,
    alive: bool = True,
) -> tuple[int, str]:
    """An adult of the family; the dead keep their record but leave the household."""
    names, rng = fam.names, b.rng
    if spouse:
        name = b.name_for(lambda: names.spouse(rng, sex, birth.year))
    else:
        name = b.name_for(lambda: names.name(rng, sex, birth.year, father))
    if household == FAMILY_HOME:
        household = fam.household if alive else None
    pid = b.person(
        name,
        sex,
        birth,
        fam=fam,
        household=household,
        region=adult_region(b, fam),
        with_phone=alive and rng.random() < 0.9,
    )
    return pid, name


def grandparents(
    b: CommunityBuilder, fam: Family, side: str, parent_birth: date, parent_name: str, count: int
) -> list[Member]:
    """Grandparents living in the family's household; the grandmother first."""
    rng = b.rng
    born = parent_birth - timedelta(days=rng.randint(22 * 365, 32 * 365))
    grandma_born = born + timedelta(days=rng.randint(0, 4 * 365))
    prefix = "paternal" if side == "paternal" else "maternal"
    members = []
    grandma, _ = adult(b, fam, "F", grandma_born, spouse=True)
    members.append(Member(grandma, f"{prefix}_grandmother"))
    if count > 1:
        names = fam.names
        if side == "maternal" and names.style == "han":
            names = FamilyNames(rng, fam.names.ethnicity)
            names.family_surname = parent_name[0]
        pid = b.person(
            b.name_for(lambda: names.name(rng, "M", born.year)),
            "M",
            born,
            fam=fam,
            household=fam.household,
            region=adult_region(b, fam),
        )
        members.append(Member(pid, f"{prefix}_grandfather"))
    return members


def kids(
    b: CommunityBuilder,
    fam: Family,
    births: list[date],
    father_name: str,
    *,
    living: str = "home",
    household: int | None = FAMILY_HOME,
    address: str = "",
    no_id_rate: float = 0.0,
    registered_by_day: date | None = None,
) -> list[Kid]:
    rng, result, taken = b.rng, [], set()
    household = fam.household if household == FAMILY_HOME else household
    for birth in births:
        sex = "M" if rng.random() < 0.52 else "F"
        name = b.name_for(
            lambda s=sex, y=birth.year: fam.names.name(rng, s, y, father_name), exclude=taken
        )
        taken.add(name)  # siblings never share a name
        pid = b.person(
            name,
            sex,
            birth,
            fam=fam,
            household=household,
            region=fam.region,
            with_id=rng.random() >= no_id_rate,
        )
        cid = b.child(
            pid,
            birth,
            address=address or fam.address,
            living=living,
            registered_by_day=registered_by_day,
        )
        result.append(Kid(pid, cid, birth, sex))
    return result


def relate(
    b: CommunityBuilder,
    children: list[Kid],
    members: list[Member],
    guardian: int | None,
    since: date | None = None,
) -> None:
    """Each child's relations to the adults (one of them the guardian) and to its siblings."""
    for kid in children:
        for member in members:
            is_guardian = member.person == guardian
            start = (
                since
                if is_guardian and since and member.kind not in ("father", "mother")
                else kid.birth
            )
            b.relation(kid.person, member.person, member.kind, is_guardian, start)
        for other in children:
            if other.person != kid.person:
                b.relation(kid.person, other.person, "sibling", False, max(kid.birth, other.birth))


# --- ordinary families and households without children ---------------------------------------


def ordinary(b: CommunityBuilder, *, migrant_family: bool = False) -> tuple[Family, list[Kid]]:
    """Two parents and their children; some divorced, some with grandparents at home."""
    rng = b.rng
    fam = b.new_family(migrant=migrant_family)
    births = kid_births(b)
    father_born, mother_born = parent_births(b, births[0])
    divorced = rng.random() < 0.08
    own_home = b.next_id("household") if divorced else FAMILY_HOME
    father, father_name = adult(b, fam, "M", father_born, household=own_home)
    if divorced:
        b.bare_household(b.address(), father, own_home)
    mother, _ = adult(b, fam, "F", mother_born, spouse=True)
    members = [Member(father, "father"), Member(mother, "mother")]
    if rng.random() < 0.15:
        members += grandparents(b, fam, "paternal", father_born, father_name, rng.randint(1, 2))
    no_id = P_NO_ID if migrant_family else 0.0
    children = kids(b, fam, births, father_name, no_id_rate=no_id)
    guardian = mother if divorced or rng.random() < 0.6 else father
    relate(b, children, members, guardian)
    if rng.random() < 0.006:
        # A disability that does NOT make the child DFUC (level 3–4 physical or sensory).
        mild = Sit(
            "severe_disability",
            days_ago(b.today, rng, 200, 3000),
            None,
            situations.mild_disability(rng),
            "第二代残疾人证",
        )
        b.situation(rng.choice((father, mother)), mild)
    b.household(fam, mother if divorced else father)
    return fam, children


def adults_household(b: CommunityBuilder) -> None:
    rng = b.rng
    fam = b.new_family(migrant=rng.random() < 0.12)
    roll = rng.random()
    if roll < 0.30:
        ages = [("M", 60, 88), ("F", 58, 86)]
    elif roll < 0.50:
        ages = [(rng.choice("FFM"), 65, 92)]
    elif roll < 0.72:
        ages = [(rng.choice("MF"), 18, 35)]
    else:
        ages = [("M", 46, 62), ("F", 45, 60)] + [(rng.choice("MF"), 18, 24)] * rng.randint(0, 2)
    head, head_name = None, ""
    for position, (sex, low, high) in enumerate(ages):
        born = b.birth(low * 365 + low // 4 + 2, high * 365 + high // 4)
        pid, name = adult(b, fam, sex, born, spouse=position == 1, father=head_name)
        if head is None:
            head, head_name = pid, name
    b.household(fam, head)


# --- categories -------------------------------------------------------------------------------


def migrant(b: CommunityBuilder, *, status: str | None = None, no_id: bool = False) -> None:
    fam, children = ordinary(b, migrant_family=True)
    arrived = days_ago(b.today, b.rng, 60, 1800)
    for kid in children:
        kid_status = status or roll_status(b, "migrant")
        basis = f"户籍地：{region_name(fam.region)}；随父母在本区居住、就读"
        ended = kid_status == "ended"
        b.category(
            kid.child,
            "migrant",
            kid_status,
            basis,
            max(arrived, kid.birth),
            ended_reason="随父母迁出本区，档案转出" if ended else "",
        )
        if ended:
            b.patch("child", kid.child, "status", "transferred")
    if no_id:
        b.patch("person", children[-1].person, "id_number", None)


def left_behind(b: CommunityBuilder, *, status: str | None = None) -> None:
    """Both parents work away; grandparents look after the children (all under 16)."""
    rng = b.rng
    fam = b.new_family(migrant=False)
    births = kid_births(b, max_days=_UNDER_16_DAYS, min_days=365)
    father_born, mother_born = parent_births(b, births[0])
    father, father_name = adult(b, fam, "M", father_born)
    mother, mother_name = adult(b, fam, "F", mother_born, spouse=True)
    side = "paternal" if rng.random() < 0.7 else "maternal"
    parent = (father_born, father_name) if side == "paternal" else (mother_born, mother_name)
    elders = grandparents(b, fam, side, *parent, rng.randint(1, 2))
    left = max(days_ago(b.today, rng, 90, 1500), births[-1] + timedelta(days=180))
    left = min(left, b.today - timedelta(days=30))
    status = status or roll_status(b, "left_behind")
    guardian = mother if status == "ended" else elders[0].person
    children = kids(
        b, fam, births, father_name, living="home" if status == "ended" else "relatives"
    )
    relate(
        b,
        children,
        [Member(father, "father"), Member(mother, "mother"), *elders],
        guardian,
        since=left,
    )
    place = rng.choice(_WORK_PLACES)
    who = "祖父母" if side == "paternal" else "外祖父母"
    basis = f"父母均在{place}务工，由{who}照料"
    for kid in children:
        b.category(
            kid.child,
            "left_behind",
            status,
            basis,
            left,
            ended_on=days_ago(b.today, rng, 5, 60),
            ended_reason="父母返乡，恢复共同生活",
        )
    b.household(fam, elders[-1].person)


def difficulty(b: CommunityBuilder, *, status: str | None = None, variant: str = "") -> None:
    """In difficulty by family poverty, own disability or illness, or missing guardianship."""
    variant = variant or b.rng.choices(("poverty", "own", "guardianship"), weights=(55, 25, 20))[0]
    story = {"poverty": _poor_family, "own": _ill_child, "guardianship": _no_guardianship}[variant]
    story(b, status)


def _poor_family(b: CommunityBuilder, status: str | None) -> None:
    rng = b.rng
    status = status or roll_status(b, "difficulty")
    fam = b.new_family(migrant=False)
    since = days_ago(b.today, rng, 90, 2000)
    if status != "ended":
        fam.assistance = "rural_dibao" if b.is_village else "urban_dibao"
        fam.assistance_since = since
    births = kid_births(b)
    father_born, mother_born = parent_births(b, births[0])
    father, father_name = adult(b, fam, "M", father_born)
    mother, _ = adult(b, fam, "F", mother_born, spouse=True)
    children = kids(b, fam, births, father_name)
    relate(b, children, [Member(father, "father"), Member(mother, "mother")], mother)
    label = "农村" if b.is_village else "城市"
    for kid in children:
        b.category(
            kid.child,
            "difficulty",
            status,
            f"家庭享受{label}最低生活保障",
            max(since, kid.birth),
            ended_reason="家庭收入提高，退出低保",
        )
    b.household(fam, father)


_CHILD_CONDITIONS = (
    "智力残疾二级（残疾人证）",
    "肢体残疾一级（残疾人证）",
    "孤独症谱系障碍（精神残疾二级）",
    "急性淋巴细胞白血病（化疗中）",
    "先天性心脏病（术后康复）",
)


def _ill_child(b: CommunityBuilder, status: str | None) -> None:
    """The child's own disability or illness; siblings are not in difficulty."""
    rng = b.rng
    _, children = ordinary(b)
    kid = rng.choice(children)
    condition = rng.choice(_CHILD_CONDITIONS)
    b.patch("child", kid.child, "health", condition)
    status = status or roll_status(b, "difficulty")
    if status == "ended":
        status = "approved"  # a lasting condition does not end on its own
    diagnosed = max(kid.birth + timedelta(days=60), days_ago(b.today, rng, 60, 2000))
    b.category(kid.child, "difficulty", status, f"本人{condition}", diagnosed)


def _no_guardianship(b: CommunityBuilder, status: str | None) -> None:
    """Father dead, mother gone away after remarrying: the grandparents care, without means."""
    rng = b.rng
    fam = b.new_family(migrant=False)
    births = kid_births(b, min_days=400)
    father_born, mother_born = parent_births(b, births[0])
    father, father_name = adult(b, fam, "M", father_born, alive=False)
    died = days_ago(b.today, rng, 120, max(121, (b.today - births[-1]).days - 1))
    b.situation(father, situations.death(rng, died))
    mother, _ = adult(b, fam, "F", mother_born, spouse=True, household=None)
    elders = grandparents(b, fam, "paternal", father_born, father_name, rng.randint(1, 2))
    children = kids(b, fam, births, father_name, living="relatives")
    members = [Member(father, "father"), Member(mother, "mother"), *elders]
    relate(b, children, members, elders[0].person, since=died)
    status = status or roll_status(b, "difficulty")
    if status == "ended":
        status = "approved"
    basis = "父亲死亡，母亲改嫁后长期在外，监护缺失" + _grandparents_assistance(b, fam, died)
    for kid in children:
        b.category(kid.child, "difficulty", status, basis, died)
    b.household(fam, elders[-1].person)


def _grandparents_assistance(b: CommunityBuilder, fam: Family, since: date) -> str:
    """Elderly carers without income often get 特困 support or the minimum living allowance."""
    roll = b.rng.random()
    if roll < 0.4:
        fam.assistance, label = "tekun", "特困人员救助供养"
    elif roll < 0.8:
        fam.assistance = "rural_dibao" if b.is_village else "urban_dibao"
        label = "农村最低生活保障" if b.is_village else "城市最低生活保障"
    else:
        return ""
    fam.assistance_since = min(since + timedelta(days=b.rng.randint(30, 120)), b.today)
    return f"；家庭享受{label}"


def orphan(b: CommunityBuilder, *, status: str | None = None) -> None:
    """Both parents dead or declared dead/missing; grandparents raise the children."""
    rng = b.rng
    fam = b.new_family(migrant=False)
    births = kid_births(b, rng.choice((1, 1, 2)), min_days=400)
    first, second = _deaths(b, births[-1])
    father, mother, father_name = _dead_parents(b, fam, births[0], first, second)
    elders = grandparents(
        b,
        fam,
        rng.choice(("paternal", "maternal")),
        births[0] - timedelta(days=9000),
        father_name,
        rng.randint(1, 2),
    )
    children = kids(b, fam, births, father_name, living="relatives")
    members = [Member(father, "father"), Member(mother, "mother"), *elders]
    relate(b, children, members, elders[0].person, since=second.started_on)
    _orphan_categories(b, children, second.started_on, status)
    b.household(fam, elders[-1].person)


def _deaths(b: CommunityBuilder, youngest: date) -> tuple[Sit, Sit]:
    rng = b.rng
    window = max(1, (b.today - youngest).days - 100)
    days = sorted(rng.sample(range(60, 60 + window), 2))
    return (
        situations.death(rng, b.today - timedelta(days=days[1]), situations.death_kind(rng)),
        situations.death(rng, b.today - timedelta(days=days[0]), situations.death_kind(rng)),
    )


def _dead_parents(
    b: CommunityBuilder, fam: Family, oldest: date, first: Sit, second: Sit
) -> tuple[int, int, str]:
    father_born, mother_born = parent_births(b, oldest)
    father, father_name = adult(b, fam, "M", father_born, alive=False)
    mother, _ = adult(b, fam, "F", mother_born, spouse=True, alive=False)
    if b.rng.random() < 0.5:
        first, second = second, first
    b.situation(father, first)
    b.situation(mother, second)
    return father, mother, father_name


def _orphan_categories(
    b: CommunityBuilder, children: list[Kid], orphaned: date, status: str | None
) -> None:
    for kid in children:
        kid_status = status or roll_status(b, "orphan")
        approved = b.category(
            kid.child, "orphan", kid_status, "父母双亡（死亡证明/法院判决）", orphaned
        )
        if approved and b.rng.random() < 0.12:
            b.assign(
                kid.child,
                approved + timedelta(days=b.rng.randint(10, 90)),
                b.rng.choice(_SERVICE_REASONS),
            )


def institution_orphans(b: CommunityBuilder, n: int) -> None:
    """Orphans raised in the city's children's welfare institution: no household, no guardian
    among the relatives (the institution is the guardian)."""
    rng = b.rng
    for _ in range(n):
        fam = b.new_family(migrant=False)
        births = kid_births(b, 1, min_days=400)
        first, second = _deaths(b, births[0])
        father, mother, father_name = _dead_parents(b, fam, births[0], first, second)
        children = kids(
            b,
            fam,
            births,
            father_name,
            living="institution",
            household=None,
            address=divisions.INSTITUTION_NAME,
        )
        relate(b, children, [Member(father, "father"), Member(mother, "mother")], None)
        _orphan_categories(
            b, children, second.started_on, rng.choice(("approved", "approved", None))
        )


def dfuc(
    b: CommunityBuilder, *, status: str | None = None, kinds: tuple[str, str] | None = None
) -> None:
    """De-facto unsupported: both parents in one of the eight situations, or one dead (or
    declared missing) and the other in one of them. A released father ends the category."""
    rng = b.rng
    status = status or roll_status(b, "dfuc")
    fam = b.new_family(migrant=False)
    # A father who served his term and came back has older children.
    min_days = 3000 if status == "ended" else 400
    births = kid_births(b, rng.choice((1, 1, 2)), min_days=min_days)
    father_born, mother_born = parent_births(b, births[0])
    father_sit, mother_sit = _dfuc_situations(b, status, kinds, births[-1])
    father, father_name = adult(b, fam, "M", father_born, alive=father_sit.kind not in _GONE)
    foreign = mother_sit.kind == "deported"
    mother = _dfuc_mother(b, fam, mother_born, foreign, alive=mother_sit.kind not in _GONE)
    b.situation(father, father_sit)
    b.situation(mother, mother_sit)
    _dfuc_children(b, fam, births, father, father_name, mother, (father_sit, mother_sit), status)


def _dfuc_situations(
    b: CommunityBuilder, status: str, kinds: tuple[str, str] | None, youngest: date
) -> tuple[Sit, Sit]:
    rng = b.rng
    if status == "ended":
        # The father's release ended it; the mother had died or vanished before his arrest.
        father = situations.released(rng, b.today)
        before = father.started_on - timedelta(days=rng.randint(30, 600))
        if rng.random() < 0.5:
            return father, situations.death(rng, before)
        return father, situations.lost_contact_since(rng, before)
    kinds = kinds or _dfuc_kinds(b)
    return _parent_situation(b, kinds[0], youngest), _parent_situation(b, kinds[1], youngest)


_GONE = frozenset({"dead", "declared_dead", "declared_missing"})


def _dfuc_kinds(b: CommunityBuilder) -> tuple[str, str]:
    rng = b.rng
    father, mother = situations.dfuc_kind(rng), situations.dfuc_kind(rng, deportable=True)
    if rng.random() < 0.6:  # (b): one parent dead or declared missing
        gone = rng.choice(("dead", "dead", "dead", "declared_missing"))
        return (gone, mother) if rng.random() < 0.6 else (father, gone)
    return father, mother


def _parent_situation(b: CommunityBuilder, kind: str, youngest: date) -> Sit:
    rng = b.rng
    if kind in _GONE:
        window = max(61, (b.today - youngest).days - 60)
        return situations.death(rng, days_ago(b.today, rng, 60, window), kind)
    return situations.dfuc_situation(rng, b.today, kind)


def _dfuc_mother(
    b: CommunityBuilder, fam: Family, born: date, foreign: bool, *, alive: bool
) -> int:
    if not foreign:
        return adult(b, fam, "F", born, spouse=True, alive=alive)[0]
    # A foreign national: no citizen ID number, no household registration, no 民族.
    name = b.name_for(lambda: foreign_mongolian(b.rng, "F"))
    return b.person(name, "F", born, fam=None, household=None, with_id=False)


def _dfuc_children(
    b: CommunityBuilder,
    fam: Family,
    births: list[date],
    father: int,
    father_name: str,
    mother: int,
    sits: tuple[Sit, Sit],
    status: str,
) -> None:
    rng = b.rng
    released = sits[0].ended_on is not None and sits[0].ended_on < b.today
    elders = grandparents(
        b, fam, "paternal", births[0] - timedelta(days=10000), father_name, rng.randint(1, 2)
    )
    children = kids(b, fam, births, father_name, living="home" if released else "relatives")
    guardian = father if released else elders[0].person
    event = max(situations.qualifies_from(s) for s in sits)
    members = [Member(father, "father"), Member(mother, "mother"), *elders]
    relate(b, children, members, guardian, since=event)
    basis = "；".join(f"{who}：{s.detail}" for who, s in zip(("父亲", "母亲"), sits, strict=True))
    for kid in children:
        approved = b.category(
            kid.child,
            "dfuc",
            status,
            basis,
            event,
            ended_on=sits[0].ended_on,
            ended_reason="父亲刑满释放，恢复抚养能力",
        )
        if approved and status == "approved" and rng.random() < 0.15:
            b.assign(
                kid.child,
                approved + timedelta(days=rng.randint(10, 90)),
                rng.choice(_SERVICE_REASONS),
            )
    b.household(fam, father if released else elders[-1].person)


# --- showcase ---------------------------------------------------------------------------------


def showcase(b: CommunityBuilder) -> None:
    """The fixed families of the demo accounts' places, whatever the size."""
    name = b.community.name
    if name == divisions.DIRECTOR_COMMUNITY:
        wang_xiaohai(b)
        orphan(b, status="approved")
        dfuc(b, status="approved", kinds=("imprisoned", "lost_contact"))
        migrant(b, status="candidate", no_id=True)
        left_behind(b, status="approved")
        difficulty(b, status="approved", variant="own")
    elif name == "友谊十九社区":
        dfuc(b, status="ended")
        dfuc(b, status="candidate", kinds=("drug_rehab", "deported"))
        difficulty(b, status="verified", variant="guardianship")
    elif name == divisions.DIRECTOR2_VILLAGE:
        dfuc(b, status="approved", kinds=("dead", "severe_disability"))
        difficulty(b, status="approved", variant="poverty")
        left_behind(b, status="verified")
        orphan(b, status="candidate")
    elif name == divisions.INSTITUTION_COMMUNITY:
        expected_children = CHILD_SHARE * sum(t for _, t in community_targets(b.ctx))
        institution_orphans(b, max(2, round(expected_children * 0.0003)))


def wang_xiaohai(b: CommunityBuilder) -> None:
    """DOMAIN.md's case: a 9-year-old boy who lost his father moved with his mother to a 30 m²
    old house and withdrew; the family lives on the minimum living allowance."""
    fam = b.new_family(migrant=False, ethnicity="汉族")
    fam.names.style, fam.names.family_surname = "han", "王"
    fam.address = f"{b.community.name}老平房区7排12号"
    birth = add_years(b.today, -9) - timedelta(days=100)
    died = b.today - timedelta(days=560)
    fam.assistance, fam.assistance_since = "urban_dibao", died + timedelta(days=75)
    father_born, mother_born = parent_births(b, birth)
    father, _ = adult(b, fam, "M", father_born, alive=False)
    b.situation(father, Sit("dead", died, None, "因病去世", "居民死亡医学证明书"))
    mother, _ = adult(b, fam, "F", mother_born, spouse=True)
    boy = b.person("王小海", "M", birth, fam=fam, household=fam.household)
    notes = "父亲病故后随母亲搬入约30平方米的老旧平房，性格内向、不愿与人交流。"
    child = b.child(boy, birth, address=fam.address, notes=notes, registered_by_day=died)
    kid = Kid(boy, child, birth, "M")
    relate(b, [kid], [Member(father, "father"), Member(mother, "mother")], mother)
    basis = "父亲因病去世，母子二人居住约30平方米老旧平房，家庭享受城市低保"
    approved = b.category(child, "difficulty", "approved", basis, fam.assistance_since)
    b.assign(child, approved + timedelta(days=14), "个案服务：心理评估与疏导（童心有梦项目）")
    b.household(fam, mother)
