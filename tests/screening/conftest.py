"""Hand-made feed snapshots for the screening tests, without the importer.

`feeds.add("police", dict(...), ...)` collects rows per source; `feeds.commit()` writes one batch
per source (a FeedBatch row and its Parquet snapshot through `schema.snapshot_write`), numbering
the rows as a spreadsheet would (header = 1). `person(...)` makes a police row with a valid ID
number. The screening date of these tests is AS_OF.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from django.conf import settings

from huhang.core import idnumber
from huhang.screening.analytics.schema import SCHEMAS, snapshot_write
from huhang.screening.models import FeedBatch
from tests.factories.screening import FeedBatchFactory

AS_OF = date(2026, 3, 1)
HERE = "150203005001"  # 友谊一社区
THERE = "150203005002"  # 友谊二社区
AWAY = "110101001001"  # Beijing: outside the district

_seq = itertools.count(1)


def id_for(birth: date, sex: str = "M", region: str = "150203") -> str:
    n = next(_seq)
    return idnumber.make(region, birth, (n % 400) * 2 + (1 if sex == "M" else 0))


def person(
    name: str,
    birth: date,
    *,
    sex: str = "M",
    hukou: str = HERE,
    residence: str | None = HERE,
    father: dict | None = None,
    mother: dict | None = None,
    status: str = "normal",
    status_date: date | None = None,
    id_number: str | None = None,
) -> dict:
    return {
        "name": name,
        "name_key": name,
        "id_number": id_number or id_for(birth, sex, hukou[:6]),
        "sex": sex,
        "birth_date": birth,
        "hukou_code": hukou,
        "residence_code": residence,
        "father_id": father["id_number"] if father else None,
        "mother_id": mother["id_number"] if mother else None,
        "status": status,
        "status_date": status_date,
    }


def family(name: str = "王小明", *, child_birth: date = date(2015, 6, 1), **child) -> dict:
    """A child with a father and a mother, all normal, living in 友谊一社区."""
    father = person(name[0] + "父", date(1985, 1, 1), sex="M")
    mother = person("李" + name[1:] + "母", date(1987, 1, 1), sex="F")
    kid = person(name, child_birth, father=father, mother=mother, **child)
    return {"child": kid, "father": father, "mother": mother}


class Feeds:
    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {}

    def add(self, source: str, *rows: dict) -> None:
        self.rows.setdefault(source, []).extend(rows)

    def family(self, fam: dict) -> dict:
        self.add("police", fam["father"], fam["mother"], fam["child"])
        return fam

    def commit(self, *, as_of: date = AS_OF) -> dict[str, FeedBatch]:
        """One new batch per source that has rows (an empty batch where given an empty list)."""
        made = {}
        for source, rows in self.rows.items():
            batch = FeedBatchFactory(source=source, as_of=as_of, rows=len(rows))
            schema = SCHEMAS[source]
            full = [
                {
                    **{f.name: None for f in schema},
                    **({"name_key": r.get("name")} if "name" in schema.names else {}),
                    **r,
                    "batch": batch.pk,
                    "row": i + 2,
                }
                for i, r in enumerate(rows)
            ]
            batch.snapshot = snapshot_write(source, batch.pk, pa.Table.from_pylist(full, schema))
            batch.save(update_fields=["snapshot"])
            made[source] = batch
        return made


# The day the leads tests happen on. Their fixed dates (a decision on 2026-11-02, a child born in
# 2017 registered "today") and the factories' ages counted from today must agree in any year.
LEADS_TODAY = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def pinned_clock(time_machine):
    """Today is LEADS_TODAY (the clock still ticks). Request it before any data is made:
    `pytestmark = pytest.mark.usefixtures("pinned_clock")`."""
    time_machine.move_to(LEADS_TODAY)


@pytest.fixture
def feeds(tree, settings_data_dir):
    return Feeds()


@pytest.fixture
def settings_data_dir():
    """Snapshots of one test do not outlive it."""
    yield
    shutil.rmtree(Path(settings.DATA_DIR) / "feeds", ignore_errors=True)


def run_rules(*, as_of: date = AS_OF, engine: str = "duckdb") -> list[dict]:
    """The leads the rules find in the current snapshots (nothing stored), as dicts with the
    evidence parsed."""
    import json

    from huhang.screening.analytics import engines
    from huhang.screening.analytics.linkage import link_people
    from huhang.screening.feeds.selectors import current_batches

    snapshots = {s: Path(settings.DATA_DIR) / b.snapshot for s, b in current_batches().items()}
    inputs = engines.inputs_load(snapshots)
    con = engines.duckdb_open(inputs)
    try:
        link_people(con, as_of=as_of)
        if engine == "duckdb":
            table = engines.run_duckdb(con, as_of=as_of, root=settings.HUHANG_ROOT_DIVISION)
        else:
            inputs.links = engines.links_table(con)
            table = engines.run_spark(inputs, as_of=as_of, root=settings.HUHANG_ROOT_DIVISION)
    finally:
        con.close()
    return [{**r, "evidence": json.loads(r["evidence"])} for r in table.to_pylist()]


def kinds_of(leads: list[dict], person: dict) -> set[str]:
    return {lead["kind"] for lead in leads if lead["person_key"] == person["id_number"]}


def register(row: dict, division, *categories: str, status: str = "candidate"):
    """Put a feed person into the registry as a child holding `categories`."""
    from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory

    child = ChildFactory(
        person=PersonFactory(
            name=row["name"],
            sex=row["sex"],
            birth_date=row["birth_date"],
            id_number=row["id_number"],
        ),
        division=division,
    )
    for category in categories:
        CategoryFactory(
            child=child, category=category, status=status, proposed_by__division=division
        )
    return child


def leads_of(leads: list[dict], row: dict) -> dict[str, dict]:
    """The leads of one person by kind (ending kinds: by 'kind:category')."""
    found = {}
    for lead in leads:
        if lead["person_key"] == row["id_number"]:
            key = lead["kind"]
            if key in (
                "turned_18",
                "turned_16",
                "deceased",
                "adopted",
                "moved_out",
                "situation_ended",
                "review",
            ):
                key = f"{key}:{lead['category']}"
            found[key] = lead
    return found


def rich_dataset(feeds: Feeds, tree) -> None:
    """One small district with a lead of every kind (for the engine comparison and the CLI)."""
    d = date
    # 孤儿, and the same parents' older child: 孤儿助学.
    orphan = family("赵孤", child_birth=d(2014, 1, 1))
    student = person("赵大", d(2006, 1, 1), father=orphan["father"], mother=orphan["mother"])
    feeds.add(
        "police",
        {**orphan["father"], "status": "dead", "status_date": d(2019, 1, 1)},
        orphan["mother"],
        orphan["child"],
        student,
    )
    feeds.add("court", {"name": "母", "id_number": orphan["mother"]["id_number"],
                        "judgment": "declared_missing", "judgment_date": d(2020, 1, 1)})  # fmt: skip
    # 事实无人抚养: imprisoned + lost contact.
    dfuc = family("钱困")
    lost = {**dfuc["mother"], "status": "lost_contact", "status_date": d(2025, 1, 1)}
    feeds.add("police", dfuc["father"], lost, dfuc["child"])
    feeds.add("justice", {"name": "父", "id_number": dfuc["father"]["id_number"],
                          "measure": "drug_rehab", "start_date": d(2025, 6, 1),
                          "end_date": d(2027, 6, 1), "agency": "戒毒所"})  # fmt: skip
    # 困境 and 金秋助学.
    poor = feeds.family(family("孙贫", child_birth=d(2008, 7, 1)))["child"]
    feeds.add("assistance", {"head_name": "孙父", "head_id": poor["father_id"], "name": "孙贫",
                             "id_number": poor["id_number"], "assistance": "rural_dibao",
                             "start_date": d(2024, 1, 1), "region_code": HERE})  # fmt: skip
    feeds.add("health", {"name": "孙贫", "id_number": poor["id_number"], "disease": "白血病",
                         "recognised_on": d(2025, 1, 1)})  # fmt: skip
    # 留守 by the school, 流动 by residence, a student without ID number, a flagged code.
    left = feeds.family(family("李留", child_birth=d(2016, 1, 1)))["child"]
    migrant = person("吴流", d(2017, 1, 1), hukou=AWAY, residence="150203005077")
    feeds.add("police", migrant)
    students = [
        {"name": "赵大", "id_number": student["id_number"], "student_number": "S-zd",
         "sex": "M", "birth_date": student["birth_date"], "school": "内蒙古科技大学",
         "stage": "higher", "full_time": True, "enrolled_on": d(2024, 9, 1)},
        {"name": "孙贫", "id_number": poor["id_number"], "student_number": "S-sp",
         "sex": "M", "birth_date": poor["birth_date"], "school": "包头一中", "stage": "senior",
         "final_year": True},
        {"name": "李留", "id_number": left["id_number"], "student_number": "S-ll", "sex": "M",
         "birth_date": left["birth_date"], "school": "昆区一小", "stage": "primary",
         "left_behind": True},
        {"name": "周無证", "id_number": None, "student_number": "S-zw", "sex": "F",
         "birth_date": d(2015, 3, 3), "school": "昆区一小", "stage": "primary",
         "hukou_code": AWAY, "residence_code": THERE},
    ]  # fmt: skip
    feeds.add("education", *students)
    # Registry children with categories: turned 18, deceased, adopted, moved out, released.
    grown = person("郑成", d(2008, 1, 1))
    gone = person("王殁", d(2013, 1, 1), status="dead", status_date=d(2026, 2, 1))
    adopted = person("冯养", d(2019, 1, 1))
    moved = person("陈迁", d(2012, 1, 1), status="moved_out", status_date=d(2026, 1, 1))
    released = family("褚释")
    feeds.add("police", grown, gone, adopted, moved, released["father"], released["child"],
              {**released["mother"], "status": "dead", "status_date": d(2018, 1, 1)})  # fmt: skip
    feeds.add("court", {"name": "收养人", "id_number": orphan["father"]["id_number"],
                        "judgment": "adoption", "judgment_date": d(2026, 1, 1),
                        "child_id": adopted["id_number"]})  # fmt: skip
    feeds.add("justice", {"name": "父", "id_number": released["father"]["id_number"],
                          "measure": "imprisoned", "start_date": d(2023, 1, 1),
                          "end_date": d(2026, 2, 1)})  # fmt: skip
    feeds.add("disability", {"name": "冯养", "id_number": adopted["id_number"],
                             "disability_kind": "visual", "level": 2,
                             "issued_on": d(2022, 1, 1), "valid_until": d(2030, 1, 1)})  # fmt: skip
    law_edges(feeds)
    feeds.commit()
    register(grown, tree["c1"], "orphan")
    register(gone, tree["c2"], "difficulty")
    register(adopted, tree["village"], "orphan", "difficulty")
    register(moved, tree["c1"], "left_behind")
    register(released["child"], tree["c2"], "dfuc")
    law_edges_register(tree)


_EDGES: dict[str, dict] = {}


def law_edges(feeds: Feeds) -> None:
    """The cases of issue 15 (docs/rules.md), added to the rich data set so that both engines
    run every new rule and the law's date arithmetic."""
    d = date
    _EDGES.clear()
    # A term of exactly six months, both ends counted (DFUC), and a migrant DFUC (referral).
    six = feeds.family(family("何期", child_birth=d(2014, 5, 5)))
    feeds.add("justice", {"name": "父", "id_number": six["father"]["id_number"],
                          "measure": "imprisoned", "start_date": d(2026, 1, 1),
                          "end_date": d(2026, 6, 30)})  # fmt: skip
    feeds.add("disability", {"name": "母", "id_number": six["mother"]["id_number"],
                             "disability_kind": "intellectual", "level": 4,
                             "issued_on": d(2020, 1, 1)})  # fmt: skip
    moved_in = family("吕户", hukou=AWAY, residence=HERE)
    feeds.add("police", {**moved_in["father"], "status": "dead", "status_date": d(2021, 1, 1)},
              moved_in["mother"], moved_in["child"])  # fmt: skip
    feeds.add("justice", {"name": "母", "id_number": moved_in["mother"]["id_number"],
                          "measure": "liberty_restricted", "start_date": d(2025, 12, 1),
                          "end_date": None})  # fmt: skip
    # 查找不到生父: the father's number blank, the mother dead.
    mother = person("施母", d(1988, 1, 1), sex="F", status="dead", status_date=d(2024, 4, 4))
    feeds.add("police", mother, person("施知", d(2016, 2, 2), mother=mother))
    # Left-behind's second branch, difficulty through lack of guardianship.
    away = family("张外")
    feeds.add("police", {**away["father"], "residence_code": AWAY}, away["mother"], away["child"])
    feeds.add("health", {"name": "母", "id_number": away["mother"]["id_number"],
                         "disease": "尿毒症", "recognised_on": d(2024, 1, 1)})  # fmt: skip
    revoked = family("孔监")
    feeds.add("police", revoked["father"], {**revoked["mother"], "residence_code": AWAY},
              revoked["child"])  # fmt: skip
    feeds.add("court", {"name": "父", "id_number": revoked["father"]["id_number"],
                        "judgment": "guardianship_revoked", "judgment_date": d(2025, 3, 3),
                        "case_number": "(2025)内0203民特3号",
                        "child_id": revoked["child"]["id_number"]})  # fmt: skip
    # A 中职 orphan student of 18+; a child declared dead by a court; an adopted orphan.
    voc = family("曹职", child_birth=d(2007, 5, 1))
    feeds.add("police", {**voc["father"], "status": "dead", "status_date": d(2015, 1, 1)},
              {**voc["mother"], "status": "dead", "status_date": d(2016, 1, 1)},
              voc["child"])  # fmt: skip
    feeds.add("education", {"name": "曹职", "id_number": voc["child"]["id_number"],
                            "student_number": "S-cz", "sex": "M", "birth_date": d(2007, 5, 1),
                            "school": "包头职业技术学校", "stage": "vocational",
                            "full_time": True, "enrolled_on": d(2022, 9, 1)})  # fmt: skip
    lost = person("严殁", d(2012, 2, 2))
    feeds.add("police", lost)
    feeds.add("court", {"name": "严殁", "id_number": lost["id_number"],
                        "judgment": "declared_dead", "judgment_date": d(2026, 2, 2),
                        "case_number": "(2026)内0203民特2号"})  # fmt: skip
    taken = family("华养")
    feeds.add("police", {**taken["father"], "status": "dead", "status_date": d(2018, 1, 1)},
              {**taken["mother"], "status": "dead", "status_date": d(2019, 1, 1)},
              taken["child"])  # fmt: skip
    feeds.add("court", {"name": "收养人", "id_number": taken["father"]["id_number"],
                        "judgment": "adoption", "judgment_date": d(2025, 1, 1),
                        "child_id": taken["child"]["id_number"]})  # fmt: skip
    # Registered: a left-behind child who turned 16; a DFUC whose father's term was shortened
    # on appeal (a review).
    sixteen = person("金六", d(2010, 1, 1))
    shortened = feeds.family(family("魏短"))
    feeds.add("police", sixteen)
    feeds.add("justice", {"name": "父", "id_number": shortened["father"]["id_number"],
                          "measure": "imprisoned", "start_date": d(2025, 5, 1),
                          "end_date": d(2025, 9, 30)})  # fmt: skip
    feeds.add("disability", {"name": "母", "id_number": shortened["mother"]["id_number"],
                             "disability_kind": "physical", "level": 1,
                             "issued_on": d(2020, 1, 1)})  # fmt: skip
    _EDGES.update(lost=lost, sixteen=sixteen, shortened=shortened["child"])


def law_edges_register(tree) -> None:
    from tests.factories.registry import CategoryFactory

    register(_EDGES["lost"], tree["c1"], "difficulty")
    register(_EDGES["sixteen"], tree["c2"], "left_behind")
    child = register(_EDGES["shortened"], tree["c1"])
    CategoryFactory(child=child, category="dfuc", approved=True, effective_from=date(2025, 6, 1),
                    proposed_by__division=tree["c1"])  # fmt: skip


ALL_KINDS = {
    "orphan",
    "dfuc",
    "difficulty",
    "left_behind",
    "migrant",
    "scholarship",
    "autumn_aid",
    "turned_18",
    "deceased",
    "adopted",
    "moved_out",
    "situation_ended",
    "turned_16",
    "review",
    "parent_unknown",
    "referral",
}
