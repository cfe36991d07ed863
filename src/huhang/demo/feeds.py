"""The seven department feeds (FEEDS.md) of the demo district, written from what its database holds.

`write_feeds(directory, as_of=..., seed=...)` reads the district's people, children, families,
parents' situations and assisted households (a few queries, `values_list`), and writes what each
department would send on `as_of`:

- police (公安, GB18030 CSV): every person with an ID number, parents' IDs for minors, deaths,
  lost contact and deportations from the recorded situations;
- justice, court, health (GB18030 CSV) and disability (XLSX with date cells): the recorded
  situations of those kinds;
- assistance (民政, GB18030 CSV): the members of every 低保/特困 household;
- education (教育, UTF-8 CSV with BOM): every registered child at school.

On top of that, a few stories the registry does not know yet, so that screening the feeds yields
every kind of lead (see `STORIES`): parents newly imprisoned, in rehab or out of contact; new
children (orphans, DFUC, one in a community code missing from the tree) found in the population
register; orphan students over 18 in higher education (and one whose parent died after the 18th
birthday, who does not qualify); final-year 高中/中职 students of 低保 households; left-behind
children; migrant pupils with and without ID numbers; a child who died, one who moved out, one
adopted; a parent released from prison. Children who turn 18 need no story: the screening finds
them by their birth date once the as-of date passes their 18th birthday.

A sprinkling of rows carries garbled names (traditional characters, pinyin in brackets after each
character, odd middle dots, full-width spaces and digits) that must still link, and every feed
has a few bad rows (`BAD_ROWS`) that the import must reject.

The rows are built from plain tuples and written with pyarrow's CSV writer (then transcoded to
GB18030 in chunks) or xlsxwriter in constant-memory mode: seconds for the `demo` size, well
under a minute for `large`.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import opencc
import pyarrow as pa
import pyarrow.csv as pacsv
import xlsxwriter
from pypinyin import Style, lazy_pinyin

from huhang.core import idnumber
from huhang.demo.divisions import DIRECTOR_COMMUNITY, DIRECTOR_STREET, DISTRICT, code_of
from huhang.demo.situations import add_years
from huhang.regions.models import Division
from huhang.registry.models import (
    CategoryAssignment,
    Child,
    Household,
    Person,
    Relation,
    Situation,
)
from huhang.screening.feeds.spec import SOURCES

# How many rows of each feed are deliberately bad (and must be rejected by the import).
BAD_ROWS = {
    "police": 4,
    "justice": 2,
    "court": 2,
    "disability": 2,
    "health": 2,
    "assistance": 2,
    "education": 3,
}
# Most government exports are GB18030 CSV. The XLSX is the disability federation's (small: the
# population register or the student register as XLSX would take xlsxwriter minutes to write
# for the large size); the student register comes as UTF-8 with a byte-order mark.
FORMATS = {
    "police": "gb18030",
    "justice": "gb18030",
    "court": "gb18030",
    "disability": "xlsx",
    "health": "gb18030",
    "assistance": "gb18030",
    "education": "utf-8-sig",
}
GARBLE_SHARE = 0.04
# A community code that is not in the tree (its street, 友谊大街街道, is).
MISSING_COMMUNITY = code_of(DIRECTOR_STREET) + "099"

_SEX = {"M": "男", "F": "女"}
_POLICE_STATUS = {"dead": "死亡", "lost_contact": "失联", "deported": "被遣送出境"}
_JUSTICE = {
    "imprisoned": "服刑在押",
    "drug_rehab": "强制隔离戒毒",
    "liberty_restricted": "其他限制人身自由措施",
}
_COURT = {
    "declared_dead": "宣告死亡",
    "declared_missing": "宣告失踪",
    "guardianship_revoked": "撤销监护资格",
}
_STAGE = {
    "preschool": "学前",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
    "higher": "高等教育",
}
_ASSISTANCE = {"urban_dibao": "城市低保", "rural_dibao": "农村低保", "tekun": "特困供养"}
_DISABILITY_KINDS = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")


def _headers(source: str) -> list[str]:
    return [c.header for c in SOURCES[source].columns]


def _d(day: date | None) -> str:
    return day.isoformat() if day else ""


@dataclass
class _P:
    """A person as the feeds need it."""

    pk: int | None
    name: str
    id_number: str
    sex: str
    birth: date
    hukou: str
    residence: str


@dataclass
class Feeds:
    """The rows of each feed (label values, in the order of `_headers`)."""

    rows: dict[str, list[list]] = field(default_factory=lambda: defaultdict(list))
    stories: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class _Builder:
    def __init__(self, as_of: date, seed: int) -> None:
        self.as_of = as_of
        self.rng = random.Random(f"{seed}:feeds")
        self.feeds = Feeds()
        self.taken: set[str] = set()
        self.people: dict[int, _P] = {}
        self.parents: dict[int, dict[str, int]] = defaultdict(dict)  # child pk → kind → pk
        self.children: dict[
            int, tuple[str, str, str, str]
        ] = {}  # pk → (division, status, stage, school)
        self.situations: dict[int, list[tuple]] = defaultdict(list)
        self.open_categories: dict[int, set[str]] = defaultdict(set)
        self.student_seq = 0
        self.tree = set()
        self._t2s = opencc.OpenCC("s2t")

    # --- reading the database -------------------------------------------------------------------

    def load(self) -> None:
        prefix = DISTRICT[0]
        self.tree = set(Division.objects.values_list("code", flat=True))
        for pk, name, number, sex, birth, hukou, residence in Person.objects.values_list(
            "id", "name", "id_number", "sex", "birth_date", "hukou_code", "household__division_id"
        ).iterator(chunk_size=20000):
            if residence and not residence.startswith(prefix):
                continue
            self.people[pk] = _P(
                pk, name, number or "", sex, birth, hukou or residence or "", residence or ""
            )
            if number:
                self.taken.add(number)
        for child, relative, kind in Relation.objects.filter(
            kind__in=("father", "mother")
        ).values_list("child_id", "relative_id", "kind"):
            self.parents[child][kind] = relative
        for pk, division, status, stage, school in Child.objects.filter(
            division__code__startswith=prefix
        ).values_list("person_id", "division_id", "status", "school_stage", "school"):
            self.children[pk] = (division, status, stage, school)
        for row in Situation.objects.values_list(
            "person_id", "kind", "started_on", "ended_on", "detail"
        ):
            self.situations[row[0]].append(row[1:])
        for pk, category in CategoryAssignment.objects.exclude(status="ended").values_list(
            "child__person_id", "category"
        ):
            self.open_categories[pk].add(category)

    # --- helpers ---------------------------------------------------------------------------------

    def new_id(self, birth: date, sex: str, region: str = "150203") -> str:
        for _ in range(2000):
            seq = self.rng.randrange(1, 999)
            if (seq % 2 == 1) != (sex == "M"):
                seq = seq + 1 if seq < 998 else seq - 1
            number = idnumber.make(region, birth, seq)
            if number not in self.taken:
                self.taken.add(number)
                return number
        raise RuntimeError("no free ID number")

    def new_person(
        self, sex: str, birth: date, residence: str, *, hukou: str = "", surname: str = ""
    ) -> _P:
        from huhang.demo import names_pool

        given = names_pool.given_name(self.rng, sex, birth.year)
        name = (surname or names_pool.surname(self.rng)) + given
        region = hukou[:6] if hukou and not hukou.startswith(DISTRICT[0]) else "150203"
        return _P(
            None, name, self.new_id(birth, sex, region), sex, birth, hukou or residence, residence
        )

    def born(self, min_years: float, max_years: float) -> date:
        return self.as_of - timedelta(
            days=self.rng.randint(int(min_years * 365.25), int(max_years * 365.25))
        )

    def garble(self, name: str) -> str:
        """Another spelling of the same name, as departments send them."""
        if self.rng.random() >= GARBLE_SHARE:
            return name
        kind = self.rng.randrange(4)
        if kind == 0:
            return self._t2s.convert(name)
        if kind == 1:
            return "".join(
                f"{ch}({py})"
                for ch, py in zip(name, lazy_pinyin(name, style=Style.TONE), strict=False)
            )
        if kind == 2:
            return (
                name.replace("·", self.rng.choice(("•", "・", ".", "．")))
                if "·" in name
                else name[:1] + "\u3000" + name[1:]
            )
        return name.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}) + "\u3000"

    def holders(self, categories: tuple[str, ...]) -> list[int]:
        """Registered active children with an ID number holding one of `categories` (and no
        DFUC, whose parents have stories of their own), under 17."""
        out = []
        for pk, cats in self.open_categories.items():
            person = self.people.get(pk)
            child = self.children.get(pk)
            if person is None or child is None or child[1] != "active" or not person.id_number:
                continue
            if "dfuc" in cats or not cats & set(categories) or _age(person.birth, self.as_of) > 16:
                continue
            out.append(pk)
        out.sort()
        self.rng.shuffle(out)
        return out

    def plain_children(self, min_age: int, max_age: int) -> list[int]:
        """Registered active children with both parents on record, no open category, no
        recorded situation of a parent, aged min..max on the as-of date."""
        out = []
        for pk, (_division, status, _stage, _school) in self.children.items():
            person = self.people.get(pk)
            parents = self.parents.get(pk, {})
            if (
                status != "active"
                or person is None
                or not person.id_number
                or self.open_categories.get(pk)
            ):
                continue
            if len(parents) != 2 or any(self.situations.get(p) for p in parents.values()):
                continue
            if any(
                not self.people.get(p) or not self.people[p].id_number for p in parents.values()
            ):
                continue
            age = _age(person.birth, self.as_of)
            if min_age <= age <= max_age:
                out.append(pk)
        out.sort()
        self.rng.shuffle(out)
        return out

    # --- feeds ------------------------------------------------------------------------------------

    def police(
        self,
        p: _P,
        *,
        father: str = "",
        mother: str = "",
        status: str = "正常",
        on: date | None = None,
    ) -> None:
        self.feeds.rows["police"].append(
            [
                p.name,
                p.id_number,
                _SEX[p.sex],
                _d(p.birth),
                p.hukou,
                p.residence,
                father,
                mother,
                status,
                _d(on),
            ]
        )

    def justice(self, p: _P, measure: str, start: date, end: date | None, agency: str) -> None:
        self.feeds.rows["justice"].append(
            [self.garble(p.name), p.id_number, measure, _d(start), _d(end), agency]
        )

    def court(self, p: _P, judgment: str, on: date, case: str, child: str = "") -> None:
        self.feeds.rows["court"].append(
            [self.garble(p.name), p.id_number, judgment, _d(on), case, child]
        )

    def disability(self, p: _P, kind: str, level: str, issued: date) -> None:
        self.feeds.rows["disability"].append(
            [self.garble(p.name), p.id_number, kind, level, _d(issued), ""]
        )

    def health(self, p: _P, disease: str, on: date, end: date | None) -> None:
        self.feeds.rows["health"].append(
            [self.garble(p.name), p.id_number, disease, _d(on), _d(end)]
        )

    def assistance(self, head: _P, member: _P, kind: str, since: date, region: str) -> None:
        self.feeds.rows["assistance"].append(
            [
                head.name,
                head.id_number,
                self.garble(member.name),
                member.id_number,
                kind,
                _d(since),
                "",
                region,
            ]
        )

    def education(
        self,
        p: _P,
        school: str,
        stage: str,
        *,
        with_id: bool = True,
        final: bool = False,
        full_time: str = "",
        left_behind: bool = False,
        name: str | None = None,
    ) -> None:
        self.student_seq += 1
        number = f"G{p.id_number}" if p.id_number else f"L{p.residence[:9]}{self.student_seq:07d}"
        age = _age(p.birth, self.as_of)
        grade = {
            "primary": str(max(1, min(6, age - 5))),
            "junior": f"初{max(1, min(3, age - 11))}",
            "senior": "高三" if final else f"高{max(1, min(2, age - 14))}",
        }
        self.feeds.rows["education"].append(
            [
                name or self.garble(p.name),
                p.id_number if with_id else "",
                number,
                _SEX[p.sex],
                p.birth,  # a date: YYYY-MM-DD in the CSV
                school,
                _STAGE[stage],
                grade.get(stage, "高三" if final and stage == "vocational" else ""),
                "是" if final else "否",
                full_time,
                date(self.as_of.year - 1 if self.as_of.month < 9 else self.as_of.year, 9, 1),
                p.hukou,
                p.residence,
                "是" if left_behind else "否",
            ]
        )

    # --- from the registry ---------------------------------------------------------------------

    def from_registry(self) -> None:
        as_of, situations, parents_of, people = (
            self.as_of,
            self.situations,
            self.parents,
            self.people,
        )
        # Born after this day: under 18 on the as-of date (parents' IDs are listed for minors).
        adult_born = add_years(as_of, -18)
        police = self.feeds.rows["police"]
        no_parents: dict[str, int] = {}
        for pk, p in people.items():
            if not p.id_number:
                continue
            if not p.hukou:
                # Nobody is in a population register without a place of registration.
                p.hukou = p.residence = self.children.get(pk, ("",))[0]
                if not p.hukou:
                    continue
            status, on = "正常", ""
            own = situations.get(pk)
            if own:
                for kind, started, ended, detail in own:
                    if kind in _POLICE_STATUS and (ended is None or ended > as_of):
                        status, on = _POLICE_STATUS[kind], started.isoformat()
                    self._situation_row(p, kind, started, ended, detail)
            father = mother = ""
            if p.birth > adult_born:
                parents = parents_of.get(pk, no_parents)
                f, m = people.get(parents.get("father")), people.get(parents.get("mother"))
                father, mother = (f.id_number if f else ""), (m.id_number if m else "")
            police.append(
                [
                    p.name,
                    p.id_number,
                    _SEX[p.sex],
                    p.birth.isoformat(),
                    p.hukou,
                    p.residence,
                    father,
                    mother,
                    status,
                    on,
                ]
            )
        for pk, (_division, status, stage, school) in self.children.items():
            p = self.people.get(pk)
            if p is None or status != "active" or not stage:
                continue
            self.education(p, school or "昆区实验小学", stage, with_id=bool(p.id_number))
        self._households()

    def _situation_row(
        self, p: _P, kind: str, started: date, ended: date | None, detail: str
    ) -> None:
        if kind in _JUSTICE:
            self.justice(p, _JUSTICE[kind], started, ended, _agency(detail))
        elif kind in _COURT:
            case = detail[detail.find("（") :] if "（" in detail else ""
            self.court(p, _COURT[kind], started, case)
        elif kind == "severe_disability" and detail[:2] in _DISABILITY_KINDS:
            self.disability(p, detail[:2], detail[2:] or "一级", started)
        elif kind == "serious_illness":
            self.health(p, detail or "恶性肿瘤", started, ended)

    def _households(self) -> None:
        members: dict[int, list[int]] = defaultdict(list)
        households = list(
            Household.objects.exclude(assistance="")
            .filter(division__code__startswith=DISTRICT[0])
            .values_list("id", "division_id", "head_id", "assistance", "assistance_since")
        )
        ids = {h[0] for h in households}
        for pk, household in Person.objects.filter(household_id__in=ids).values_list(
            "id", "household_id"
        ):
            members[household].append(pk)
        for hid, division, head, kind, since in households:
            head_p = self.people.get(head)
            if head_p is None or not head_p.id_number:
                continue
            for pk in sorted(members[hid]):
                member = self.people.get(pk)
                if member and member.id_number:
                    self.assistance(
                        head_p, member, _ASSISTANCE[kind], since or self.as_of, division
                    )

    # --- stories ------------------------------------------------------------------------------

    def stories(self) -> None:
        as_of, rng = self.as_of, self.rng
        plain = self.plain_children(1, 15)
        teen = self.plain_children(16, 17)
        take = lambda pool: pool.pop() if pool else None  # noqa: E731

        # A parent newly imprisoned, the other lost contact 8 months ago / in drug rehab → dfuc.
        for second in ("lost_contact", "drug_rehab", "severe_disability"):
            pk = take(plain)
            if pk is None:
                break
            father = self.people[self.parents[pk]["father"]]
            mother = self.people[self.parents[pk]["mother"]]
            start = as_of - timedelta(days=rng.randint(40, 200))
            self.justice(father, "服刑在押", start, add_years(start, 3), "内蒙古包头监狱")
            if second == "lost_contact":
                self._set_police(mother, "失联", as_of - timedelta(days=250))
            elif second == "drug_rehab":
                self.justice(
                    mother, "强制隔离戒毒", start, add_years(start, 2), "包头市强制隔离戒毒所"
                )
            else:
                self.disability(mother, "肢体", "一级", start)
            self.feeds.stories["dfuc_registered"] += 1
        # A registered DFUC child whose imprisoned parent was released last month.
        for pk, cats in sorted(self.open_categories.items()):
            if "dfuc" not in cats:
                continue
            for parent in self.parents.get(pk, {}).values():
                sits = [
                    s
                    for s in self.situations.get(parent, ())
                    if s[0] == "imprisoned" and (s[2] is None or s[2] > as_of)
                ]
                if sits and self.people.get(parent) and self.people[parent].id_number:
                    self._release(self.people[parent], sits[0][1])
                    break
            else:
                continue
            self.feeds.stories["released"] += 1
            if self.feeds.stories["released"] >= 2:
                break
        # Children holding a category: one died, one moved away, one was adopted (each of these
        # ends the category).
        holders = self.holders(("orphan", "difficulty", "left_behind"))
        pk = take(holders)
        if pk:
            self._set_police(self.people[pk], "死亡", as_of - timedelta(days=20))
            self.feeds.stories["deceased"] += 1
        pk = take(holders)
        if pk:
            self._set_police(self.people[pk], "迁出", as_of - timedelta(days=35))
            self.feeds.stories["moved_out"] += 1
        pk = take(holders)
        if pk:
            adopter = self.new_person("M", self.born(35, 45), self.people[pk].residence)
            self.police(adopter)
            self.court(
                adopter,
                "收养",
                as_of - timedelta(days=40),
                f"（{as_of.year}）内0203民特{rng.randint(100, 999)}号",
                self.people[pk].id_number,
            )
            self.feeds.stories["adopted"] += 1
        # Left-behind children (the school's record) and one with a disability, one ill.
        for _ in range(2):
            pk = take(plain)
            if pk:
                self._left_behind(pk)
        pk = take(plain)
        if pk:
            self.disability(self.people[pk], "智力", "二级", as_of - timedelta(days=90))
            self.feeds.stories["difficulty_disability"] += 1
        pk = take(plain)
        if pk:
            self.health(self.people[pk], "急性淋巴细胞白血病", as_of - timedelta(days=60), None)
            self.feeds.stories["difficulty_illness"] += 1
        # Registered children listed by their school without an ID and with a garbled name.
        for _ in range(2):
            pk = take(plain)
            if pk:
                p = self.people[pk]
                self._replace_education(p, name=p.name[:1] + "\u3000" + p.name[1:])
        self._new_children()
        self._students(teen)

    def _set_police(self, p: _P, status: str, on: date) -> None:
        for row in self.feeds.rows["police"]:
            if row[1] == p.id_number:
                row[8], row[9] = status, _d(on)
                return
        self.police(p, status=status, on=on)

    def _release(self, p: _P, started: date) -> None:
        ended = self.as_of - timedelta(days=30)
        for row in self.feeds.rows["justice"]:
            if row[1] == p.id_number and row[2] == "服刑在押":
                row[4] = _d(ended)
                return
        self.justice(p, "服刑在押", started, ended, "内蒙古包头监狱")

    def _left_behind(self, pk: int) -> None:
        self._replace_education(self.people[pk], left_behind=True)
        self.feeds.stories["left_behind"] += 1

    def _replace_education(self, p: _P, **changes) -> None:
        rows = self.feeds.rows["education"]
        for i, row in enumerate(rows):
            if row[1] == p.id_number and row[1]:
                if "left_behind" in changes:
                    row[13] = "是"
                if "name" in changes:
                    row[0], row[1] = changes["name"], ""
                    self.feeds.stories["education_no_id"] += 1
                rows[i] = row
                return

    def _family(self, residence: str, kid_age: tuple[float, float]) -> tuple[_P, _P, _P]:
        father = self.new_person("M", self.born(30, 45), residence)
        mother = self.new_person("F", self.born(28, 42), residence)
        surname = father.name[:1]
        kid = self.new_person(
            self.rng.choice("MF"), self.born(*kid_age), residence, surname=surname
        )
        return father, mother, kid

    def _new_children(self) -> None:
        as_of, rng = self.as_of, self.rng
        communities = sorted(c for c in self.tree if len(c) == 12 and c.startswith(DISTRICT[0]))
        if not communities:
            return
        # New children in the population register: orphans, DFUC, one in a community code that
        # is not in the tree.
        for story, residence in (
            ("orphan_new", rng.choice(communities)),
            ("orphan_new", rng.choice(communities)),
            ("dfuc_new", rng.choice(communities)),
            (
                "dfuc_unknown_division",
                MISSING_COMMUNITY
                if MISSING_COMMUNITY not in self.tree
                else communities[0][:9] + "098",
            ),
        ):
            father, mother, kid = self._family(residence, (0.1, 6))
            died = as_of - timedelta(days=rng.randint(60, 400))
            if story == "orphan_new":
                self.police(father, status="死亡", on=died)
                if self.feeds.stories["orphan_new"] == 0:
                    self.police(mother)
                    self.court(
                        mother,
                        "宣告死亡",
                        died,
                        f"（{as_of.year}）内0203民特{rng.randint(100, 999)}号",
                    )
                else:
                    self.police(mother, status="死亡", on=died + timedelta(days=30))
            else:
                self.police(father, status="死亡", on=died)
                self.police(mother)
                start = as_of - timedelta(days=rng.randint(30, 300))
                self.justice(mother, "服刑在押", start, add_years(start, 5), "内蒙古第一监狱")
            self.police(kid, father=father.id_number, mother=mother.id_number)
            self.feeds.stories[story] += 1
        # Newly arrived migrant pupils, found by their schools (some without ID numbers).
        for i in range(6):
            residence = rng.choice(communities)
            hukou = f"{rng.choice(('150221', '150222', '152801', '130102'))}{rng.randint(1, 15):03d}{rng.randint(1, 30):03d}"
            kid = self.new_person(rng.choice("MF"), self.born(7, 14), residence, hukou=hukou)
            with_id = i % 2 == 0
            stage = "primary" if _age(kid.birth, as_of) < 12 else "junior"
            self.education(kid, "昆区外来务工子弟学校", stage, with_id=with_id)
            self.feeds.stories["migrant_with_id" if with_id else "migrant_without_id"] += 1

    def _students(self, teen: list[int]) -> None:
        as_of, rng = self.as_of, self.rng
        communities = sorted(c for c in self.tree if len(c) == 12 and c.startswith(DISTRICT[0]))
        # Orphans over 18 in full-time higher education: parents died before the 18th birthday;
        # the last one's father died after it (not an orphan before 18: no scholarship).
        for story in ("scholarship", "scholarship", "scholarship_after_18"):
            residence = rng.choice(communities)
            father, mother, student = self._family(residence, (18.3, 20.5))
            eighteen = add_years(student.birth, 18)
            self.police(mother, status="死亡", on=eighteen - timedelta(days=rng.randint(400, 2000)))
            father_died = (
                eighteen + timedelta(days=60)
                if story == "scholarship_after_18"
                else eighteen - timedelta(days=rng.randint(30, 900))
            )
            self.police(father, status="死亡", on=father_died)
            self.police(student, father=father.id_number, mother=mother.id_number)
            self.education(
                student,
                rng.choice(("内蒙古科技大学", "包头师范学院", "内蒙古大学")),
                "higher",
                full_time="是",
            )
            self.feeds.stories[story] += 1
        # Final-year students of 低保 households (金秋助学): a registered teen's family newly on
        # the roll, and a new family.
        for i, stage in enumerate(("senior", "vocational")):
            pk = teen.pop() if teen else None
            if pk is not None:
                kid = self.people[pk]
                head = self.people[self.parents[pk]["father"]]
                mother = self.people[self.parents[pk]["mother"]]
                self._replace_education_stage(kid, stage)
            else:
                head, mother, kid = self._family(rng.choice(communities), (17.1, 17.9))
                for p in (head, mother, kid):
                    self.police(p)
                self.education(
                    kid,
                    "包头市第九中学" if stage == "senior" else "包头市机电职业技术学校",
                    stage,
                    final=True,
                )
            since = as_of - timedelta(days=rng.randint(90, 700))
            kind = "城市低保" if i == 0 else "农村低保"
            for member in (head, mother, kid):
                self.assistance(head, member, kind, since, kid.residence or rng.choice(communities))
            self.feeds.stories["autumn_aid"] += 1

    def _replace_education_stage(self, p: _P, stage: str) -> None:
        for row in self.feeds.rows["education"]:
            if row[1] == p.id_number:
                row[6], row[7], row[8] = (
                    _STAGE[stage],
                    "高三" if stage == "senior" else "三年级",
                    "是",
                )
                return
        self.education(p, "包头市第九中学", stage, final=True)

    # --- bad rows -------------------------------------------------------------------------------

    def bad_rows(self) -> None:
        rng, as_of = self.rng, self.as_of
        communities = sorted(c for c in self.tree if len(c) == 12) or [code_of(DIRECTOR_COMMUNITY)]
        where = communities[0]

        def wrong_check(p: _P) -> str:
            last = p.id_number[17]
            return p.id_number[:17] + ("0" if last != "0" else "1")

        people = [self.new_person(rng.choice("MF"), self.born(20, 60), where) for _ in range(8)]
        p = people[0]
        police = self.feeds.rows["police"]
        police.append(
            [p.name, wrong_check(p), _SEX[p.sex], _d(p.birth), where, where, "", "", "正常", ""]
        )
        p = people[1]
        police.append(
            [
                p.name,
                p.id_number,
                _SEX[p.sex],
                _d(p.birth + timedelta(days=1)),
                where,
                where,
                "",
                "",
                "正常",
                "",
            ]
        )
        p = people[2]
        police.append(
            [p.name, p.id_number, _SEX[p.sex], _d(p.birth), where, where, "", "", "下落不明", ""]
        )
        p = people[3]
        police.append(["", p.id_number, _SEX[p.sex], _d(p.birth), where, where, "", "", "正常", ""])
        day = as_of - timedelta(days=100)
        self.feeds.rows["justice"] += [
            [people[4].name, wrong_check(people[4]), "服刑在押", _d(day), "", ""],
            [people[5].name, people[5].id_number, "社区矫正", _d(day), "", ""],
        ]
        self.feeds.rows["court"] += [
            [people[4].name, people[4].id_number, "离婚", _d(day), "", ""],
            [people[5].name, people[5].id_number, "宣告死亡", "2024年3月", "", ""],
        ]
        self.feeds.rows["disability"] += [
            [people[6].name, people[6].id_number, "肢体", "五级", _d(day), ""],
            [people[7].name, "", "视力", "一级", _d(day), ""],
        ]
        self.feeds.rows["health"] += [
            [people[6].name, wrong_check(people[6]), "尿毒症", _d(day), ""],
            [people[7].name, people[7].id_number, "", _d(day), ""],
        ]
        self.feeds.rows["assistance"] += [
            [
                people[4].name,
                people[4].id_number,
                people[4].name,
                people[4].id_number,
                "临时救助",
                _d(day),
                "",
                where,
            ],
            [
                people[5].name,
                people[5].id_number,
                people[5].name,
                people[5].id_number,
                "城市低保",
                _d(day),
                "",
                where[:9],
            ],
        ]
        kid = self.new_person("F", self.born(8, 10), where)
        self.education(kid, "昆区实验小学", "primary", name=kid.name)
        self.feeds.rows["education"][-1][2] = ""  # 学籍号 missing
        kid = self.new_person("M", self.born(8, 10), where)
        self.education(kid, "昆区实验小学", "primary", name=kid.name)
        self.feeds.rows["education"][-1][6] = "大学"  # no such stage
        kid = self.new_person("M", self.born(8, 10), where)
        self.education(kid, "昆区实验小学", "primary", name=kid.name)
        self.feeds.rows["education"][-1][3] = "女"  # disagrees with the ID number

    def full_width_ids(self) -> None:
        """A few ID numbers typed with a Chinese input method (full-width): still valid."""
        for source in ("justice", "assistance"):
            rows = self.feeds.rows[source]
            for row in rows[: max(1, len(rows) // 50)]:
                column = 1 if source == "justice" else 3
                row[column] = row[column].translate({c: c + 0xFEE0 for c in range(0x30, 0x5B)})


def _agency(detail: str) -> str:
    """The prison or centre named in a situation's detail (有期徒刑3年，内蒙古包头监狱服刑)."""
    if "（" in detail:
        return detail[detail.find("（") + 1 :].split("）")[0]
    parts = detail.split("，")
    return parts[1].removesuffix("服刑") if len(parts) > 1 else ""


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def build(*, as_of: date, seed: int) -> Feeds:
    builder = _Builder(as_of, seed)
    builder.load()
    builder.from_registry()
    builder.stories()
    builder.full_width_ids()
    builder.bad_rows()
    return builder.feeds


def write_feeds(directory: Path | str, *, as_of: date, seed: int = 150203) -> dict[str, Path]:
    """Write the seven feeds into `directory`; returns source → file path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    feeds = build(as_of=as_of, seed=seed)
    paths = {}
    for source in SOURCES:
        fmt = FORMATS[source]
        path = directory / f"{source}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
        rows = feeds.rows[source]
        if fmt == "xlsx":
            _write_xlsx(path, source, rows)
        else:
            _write_csv(path, _headers(source), rows, fmt)
        paths[source] = path
    return paths


def _write_csv(path: Path, header: list[str], rows: list[list], encoding: str) -> None:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(header)
    table = pa.table(
        {
            h: pa.array([v if type(v) is str else _text(v) for v in col], pa.string())
            for h, col in zip(header, columns, strict=True)
        }
    )
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(quoting_style="needed"))
    data = buffer.getvalue()
    with path.open("wb") as out:
        if encoding == "utf-8-sig":
            out.write(b"\xef\xbb\xbf")
            out.write(data)
            return
        # Transcode in chunks, cut at line ends, so memory stays flat for the large size.
        step, start = 1 << 22, 0
        while start < len(data):
            end = data.find(b"\n", min(start + step, len(data) - 1))
            end = len(data) if end < 0 else end + 1
            out.write(data[start:end].decode("utf-8").encode("gb18030"))
            start = end


def _text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _write_xlsx(path: Path, source: str, rows: list[list]) -> None:
    """The first sheet holds the data, dates as date cells (as a spreadsheet user types them)."""
    columns = SOURCES[source].columns
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("数据")
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [c.header for c in columns])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            day = _as_date(value) if columns[c].kind == "date" else None
            if day is not None:
                sheet.write_datetime(r, c, day, dates)
            elif value:
                sheet.write_string(r, c, str(value))
    workbook.add_worksheet("说明").write(0, 0, "数据在第一个工作表")
    workbook.close()


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
