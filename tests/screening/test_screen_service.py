"""screen_run: stores the new leads, not the known ones; stats; audit; refusals."""

from __future__ import annotations

from datetime import date

import pytest

from huhang.core import crypto
from huhang.core.exceptions import DomainError, NotAllowed
from huhang.core.models import AuditEvent
from huhang.screening.models import Lead, ScreeningRun
from huhang.screening.runs.services import screen_run
from tests.screening.conftest import AS_OF, AWAY, Feeds, family, person


def _dataset(feeds: Feeds, *, release: date | None = None) -> dict:
    fam = feeds.family(family())
    feeds.add("justice", {"name": "父", "id_number": fam["father"]["id_number"],
                          "measure": "imprisoned", "start_date": date(2025, 1, 1),
                          "end_date": release})  # fmt: skip
    feeds.add("disability", {"name": "母", "id_number": fam["mother"]["id_number"],
                             "disability_kind": "physical", "level": 2,
                             "issued_on": date(2020, 1, 1)})  # fmt: skip
    migrant = person("吴六", date(2016, 1, 1), hukou=AWAY, residence="150203005099")
    feeds.add("police", migrant)
    return {"child": fam["child"], "migrant": migrant}


def test_stores_leads_with_stats_and_one_audit_event(feeds, users, tree):
    data = _dataset(feeds)
    feeds.commit()
    run = screen_run(by=users["bureau"], as_of=AS_OF)
    assert run.finished_at is not None and run.engine == "duckdb"
    assert set(run.batches) == {"police", "justice", "disability"}
    assert run.stats["found"] == {"dfuc": 1, "migrant": 1}
    assert run.stats["new"] == {"dfuc": 1, "migrant": 1}
    assert run.stats["unchanged"] == {}
    assert run.stats["flagged"] == 1
    dfuc = Lead.objects.get(kind="dfuc")
    assert dfuc.id_number == data["child"]["id_number"]
    assert dfuc.person_key == f"id:{crypto.blind_index(dfuc.id_number)}"
    assert (dfuc.name, dfuc.category, dfuc.division_id, dfuc.status) == (
        "王小明",
        "dfuc",
        tree["c1"].code,
        "new",
    )
    assert {e["fact"] for e in dfuc.evidence} == {"imprisoned", "severe_disability"}
    assert dfuc.run == run and len(dfuc.fingerprint) == 64
    migrant = Lead.objects.get(kind="migrant")
    assert (migrant.division_id, migrant.region_flagged, migrant.region_code) == (
        tree["street"].code,
        True,
        tree["street"].code + "099",
    )
    events = AuditEvent.objects.filter(object_type="screening_run")
    assert [(e.object_id, e.username, e.action) for e in events] == [
        (str(run.pk), "bureau", "create")
    ]
    assert events[0].detail["total"] == {"found": 2, "new": 2, "unchanged": 0}


def test_unchanged_leads_are_not_raised_again(feeds, users):
    _dataset(feeds)
    feeds.commit()
    screen_run(by=users["bureau"], as_of=AS_OF)
    # The same data re-imported as new batches (new batch ids): nothing new.
    feeds.commit()
    again = screen_run(by=users["bureau"], as_of=date(2026, 3, 2))
    assert again.stats["new"] == {}
    assert again.stats["unchanged"] == {"dfuc": 1, "migrant": 1}
    assert Lead.objects.count() == 2


def test_changed_evidence_raises_a_new_lead(feeds, users):
    _dataset(feeds)
    feeds.commit()
    screen_run(by=users["bureau"], as_of=AS_OF)
    # The same people; the prison now reports an expected release date: the facts changed.
    (justice,) = feeds.rows["justice"]
    justice["end_date"] = date(2027, 6, 30)
    feeds.commit()
    run = screen_run(by=users["bureau"], as_of=AS_OF)
    assert run.stats["new"] == {"dfuc": 1}
    assert run.stats["unchanged"] == {"migrant": 1}
    old, new = Lead.objects.filter(kind="dfuc").order_by("id")
    assert old.person_key == new.person_key and old.fingerprint != new.fingerprint
    assert new.run == run
    assert any(e.get("until") == "2027-06-30" for e in new.evidence)


def test_refuses_without_batches(tree, users):
    with pytest.raises(DomainError, match="导入"):
        screen_run(by=users["bureau"], as_of=AS_OF)
    assert not ScreeningRun.objects.exists()


def test_refuses_a_director(feeds, users):
    _dataset(feeds)
    feeds.commit()
    with pytest.raises(NotAllowed):
        screen_run(by=users["director"], as_of=AS_OF)
    assert not Lead.objects.exists()


def test_refuses_an_unknown_engine(feeds, users):
    _dataset(feeds)
    feeds.commit()
    with pytest.raises(DomainError):
        screen_run(by=users["bureau"], as_of=AS_OF, engine="oracle")
