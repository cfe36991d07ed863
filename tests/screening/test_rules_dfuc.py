"""孤儿 and 事实无人抚养儿童: each combination class of DOMAIN.md."""

from __future__ import annotations

from datetime import date

from tests.screening.conftest import AS_OF, family, leads_of, run_rules


def _justice(row, measure="imprisoned", start=date(2025, 1, 1), end=None):
    return {"name": row["name"], "id_number": row["id_number"], "measure": measure,
            "start_date": start, "end_date": end, "agency": "包头监狱"}  # fmt: skip


def _disability(row, kind="physical", level=1, valid_until=None):
    return {"name": row["name"], "id_number": row["id_number"], "disability_kind": kind,
            "level": level, "issued_on": date(2020, 1, 1), "valid_until": valid_until}  # fmt: skip


def _court(row, judgment, child=None, on=date(2024, 5, 1)):
    return {"name": row["name"], "id_number": row["id_number"], "judgment": judgment,
            "judgment_date": on, "case_number": "(2024)内0203民特1号",
            "child_id": child["id_number"] if child else None}  # fmt: skip


def _dead(row, on=date(2023, 1, 1)):
    return {**row, "status": "dead", "status_date": on}


def test_both_parents_in_situations(feeds, tree):
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"]))
    feeds.add("disability", _disability(fam["mother"]))
    feeds.commit()
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == {"dfuc"}
    lead = found["dfuc"]
    facts = {(e["subject"], e["fact"], e["source"]) for e in lead["evidence"]}
    assert facts == {
        ("father", "imprisoned", "justice"),
        ("mother", "severe_disability", "disability"),
    }
    assert all(e["batch"] and e["row"] == 2 for e in lead["evidence"])
    assert lead["category"] == "dfuc" and lead["division_code"] == tree["c1"].code


def test_one_dead_and_one_in_a_situation(feeds):
    fam = family()
    feeds.add("police", _dead(fam["father"]), fam["mother"], fam["child"])
    feeds.add("health", {"name": "母", "id_number": fam["mother"]["id_number"],
                         "disease": "尿毒症", "recognised_on": date(2025, 6, 1)})  # fmt: skip
    feeds.commit()
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == {"dfuc"}
    assert {e["fact"] for e in found["dfuc"]["evidence"]} == {"dead", "serious_illness"}


def test_one_declared_missing_and_one_lost_contact(feeds):
    fam = family()
    lost = {**fam["mother"], "status": "lost_contact", "status_date": date(2025, 6, 1)}
    feeds.add("police", fam["father"], lost, fam["child"])
    feeds.add("court", _court(fam["father"], "declared_missing"))
    feeds.commit()
    assert set(leads_of(run_rules(), fam["child"])) == {"dfuc"}


def test_declared_dead_and_deported(feeds):
    fam = family()
    deported = {**fam["father"], "status": "deported", "status_date": date(2025, 12, 1)}
    feeds.add("police", deported, fam["mother"], fam["child"])
    feeds.add("court", _court(fam["mother"], "declared_dead"))
    feeds.commit()
    assert set(leads_of(run_rules(), fam["child"])) == {"dfuc"}


def test_orphan_is_not_also_dfuc(feeds):
    fam = family()
    # The father also holds a disability certificate: he is still "gone", and the child is an
    # orphan, never also DFUC.
    feeds.add("police", _dead(fam["father"]), fam["mother"], fam["child"])
    feeds.add("court", _court(fam["mother"], "declared_dead"))
    feeds.add("disability", _disability(fam["father"]))
    feeds.commit()
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == {"orphan"}
    assert {(e["subject"], e["fact"]) for e in found["orphan"]["evidence"]} == {
        ("father", "dead"),
        ("mother", "declared_dead"),
    }


def test_orphan_by_death_and_declared_missing(feeds):
    fam = family()
    feeds.add("police", _dead(fam["father"]), fam["mother"], fam["child"])
    feeds.add("court", _court(fam["mother"], "declared_missing"))
    feeds.commit()
    assert set(leads_of(run_rules(), fam["child"])) == {"orphan"}


def test_one_parent_dead_the_other_well_is_nothing(feeds):
    fam = family()
    feeds.add("police", _dead(fam["father"]), fam["mother"], fam["child"])
    feeds.commit()
    assert leads_of(run_rules(), fam["child"]) == {}


def test_one_parent_in_a_situation_the_other_well_is_nothing(feeds):
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"]))
    feeds.commit()
    assert leads_of(run_rules(), fam["child"]) == {}


def test_severe_disability_levels(feeds):
    """Levels 1–2 of any kind; 3–4 only of intellectual or mental disability."""
    mild = feeds.family(family("赵一"))
    severe = feeds.family(family("钱二"))
    for fam, kind, level in ((mild, "physical", 3), (severe, "intellectual", 4)):
        feeds.add("justice", _justice(fam["father"]))
        feeds.add("disability", _disability(fam["mother"], kind=kind, level=level))
    feeds.commit()
    leads = run_rules()
    assert leads_of(leads, mild["child"]) == {}
    assert set(leads_of(leads, severe["child"])) == {"dfuc"}


def test_expired_certificate_does_not_count(feeds):
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"]))
    feeds.add("disability", _disability(fam["mother"], valid_until=date(2026, 2, 28)))
    feeds.commit()
    assert leads_of(run_rules(), fam["child"]) == {}
    # Valid until the screening day itself: still valid on that day.
    assert set(leads_of(run_rules(as_of=date(2026, 2, 28)), fam["child"])) == {"dfuc"}


def test_guardianship_revoked_for_this_child_only(feeds):
    mine = feeds.family(family("孙三"))
    other = feeds.family(family("周四"))
    for fam in (mine, other):
        feeds.add("justice", _justice(fam["mother"], measure="drug_rehab"))
    # The father of `other` lost guardianship of some third child, not of `other`.
    feeds.add("court", _court(mine["father"], "guardianship_revoked", child=mine["child"]))
    feeds.add("court", _court(other["father"], "guardianship_revoked", child=mine["father"]))
    feeds.commit()
    leads = run_rules()
    assert set(leads_of(leads, mine["child"])) == {"dfuc"}
    assert leads_of(leads, other["child"]) == {}


def test_parents_not_yet_in_their_situation_on_the_date(feeds):
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"], start=date(2026, 3, 2)))
    feeds.add("disability", _disability(fam["mother"]))
    feeds.commit()
    assert leads_of(run_rules(as_of=AS_OF), fam["child"]) == {}


def test_a_child_already_holding_the_category_is_not_raised(feeds, tree):
    from tests.screening.conftest import register

    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"]))
    feeds.add("disability", _disability(fam["mother"]))
    feeds.commit()
    register(fam["child"], tree["c1"], "dfuc", status="verified")
    assert leads_of(run_rules(), fam["child"]) == {}
