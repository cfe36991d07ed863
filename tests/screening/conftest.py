"""Hand-made feed snapshots for the screening tests, without the importer.

`feeds.add("police", dict(...), ...)` collects rows per source; `feeds.commit()` writes one batch
per source (a FeedBatch row and its Parquet snapshot through `schema.snapshot_write`), numbering
the rows as a spreadsheet would (header = 1). `person(...)` makes a police row with a valid ID
number. The screening date of these tests is AS_OF.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from django.conf import settings

from huhang.core import idnumber
from huhang.screening.models import FeedBatch
from huhang.screening.schema import SCHEMAS, snapshot_write

AS_OF = date(2026, 3, 1)
HERE = "150203001001"  # 友谊一社区
THERE = "150203001002"  # 友谊二社区
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
            batch = FeedBatch.objects.create(
                source=source,
                as_of=as_of,
                file_name=f"{source}.csv",
                file_size=1,
                sha256=f"{source}-{next(_seq)}",
                rows=len(rows),
                accepted=len(rows),
            )
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

    from huhang.screening import engines
    from huhang.screening.services_screen import _link, current_batches

    snapshots = {s: Path(settings.DATA_DIR) / b.snapshot for s, b in current_batches().items()}
    inputs = engines.inputs_load(snapshots)
    con = engines.duckdb_open(inputs)
    try:
        _link(con, as_of=as_of)
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
    from huhang.registry.models import CategoryAssignment
    from tests.factories import ChildFactory, PersonFactory

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
        CategoryAssignment.objects.create(child=child, category=category, status=status)
    return child


def leads_of(leads: list[dict], row: dict) -> dict[str, dict]:
    """The leads of one person by kind (ending kinds: by 'kind:category')."""
    found = {}
    for lead in leads:
        if lead["person_key"] == row["id_number"]:
            key = lead["kind"]
            if key in ("turned_18", "deceased", "adopted", "moved_out", "situation_ended"):
                key = f"{key}:{lead['category']}"
            found[key] = lead
    return found
