"""The ending kinds, for children who hold a category in the registry."""

from __future__ import annotations

from datetime import date

from tests.factories.registry import CategoryFactory
from tests.screening.conftest import AWAY, family, leads_of, person, register, run_rules


def test_turned_18_on_the_birthday_leap_day(feeds, tree):
    kid = person("赵一", date(2008, 2, 29))
    feeds.add("police", kid)
    feeds.commit()
    register(kid, tree["c1"], "orphan", "difficulty")
    # Born on 29 February: 18 on 28 February in a common year.
    assert leads_of(run_rules(as_of=date(2026, 2, 27)), kid) == {}
    found = leads_of(run_rules(as_of=date(2026, 2, 28)), kid)
    assert set(found) == {"turned_18:orphan", "turned_18:difficulty"}
    lead = found["turned_18:orphan"]
    assert lead["evidence"] == [
        {"source": "registry", "fact": "turned_18", "subject": "self", "on": "2026-02-28"}
    ]
    assert lead["child_id"] is not None and lead["division_code"] == tree["c1"].code


def test_turned_18_needs_no_feed_row(feeds, tree):
    kid = person("钱二", date(2007, 6, 1))
    feeds.add("police", person("路人", date(1980, 1, 1)))
    feeds.commit()
    register(kid, tree["c2"], "migrant")
    assert set(leads_of(run_rules(), kid)) == {"turned_18:migrant"}


def test_deceased(feeds, tree):
    kid = person("孙三", date(2015, 1, 1), status="dead", status_date=date(2026, 1, 5))
    feeds.add("police", kid)
    feeds.commit()
    register(kid, tree["c1"], "dfuc")
    lead = leads_of(run_rules(), kid)["deceased:dfuc"]
    assert lead["evidence"][0]["fact"] == "dead" and lead["evidence"][0]["on"] == "2026-01-05"


def test_adopted(feeds, tree):
    kid = person("李四", date(2015, 1, 1))
    adopter = person("收养人", date(1980, 1, 1))
    feeds.add("police", kid, adopter)
    feeds.add("court", {"name": "收养人", "id_number": adopter["id_number"],
                        "judgment": "adoption", "judgment_date": date(2026, 2, 1),
                        "case_number": "(2026)内0203民特8号",
                        "child_id": kid["id_number"]})  # fmt: skip
    feeds.commit()
    register(kid, tree["c1"], "orphan")
    lead = leads_of(run_rules(), kid)["adopted:orphan"]
    assert lead["evidence"][0]["source"] == "court"
    assert lead["evidence"][0]["detail"] == "(2026)内0203民特8号"


def test_moved_out_by_status_or_by_both_codes(feeds, tree):
    left = person("吴六", date(2014, 1, 1), status="moved_out", status_date=date(2026, 1, 1))
    away = person("郑七", date(2014, 1, 1), hukou=AWAY, residence=AWAY)
    half = person("王八", date(2014, 1, 1), residence=AWAY)  # registered here, lives away
    feeds.add("police", left, away, half)
    feeds.commit()
    for kid in (left, away, half):
        register(kid, tree["c1"], "left_behind")
    leads = run_rules()
    assert leads_of(leads, left)["moved_out:left_behind"]["evidence"][0]["fact"] == "moved_out"
    assert leads_of(leads, away)["moved_out:left_behind"]["evidence"][0]["fact"] == (
        "lives_outside"
    )
    assert leads_of(leads, half) == {}


def test_situation_ended_released_from_prison(feeds, tree):
    fam = feeds.family(family())
    feeds.add("justice", {"name": "父", "id_number": fam["father"]["id_number"],
                          "measure": "imprisoned", "start_date": date(2024, 1, 1),
                          "end_date": date(2026, 1, 31), "agency": "包头监狱"})  # fmt: skip
    feeds.add("disability", {"name": "母", "id_number": fam["mother"]["id_number"],
                             "disability_kind": "physical", "level": 1,
                             "issued_on": date(2020, 1, 1)})  # fmt: skip
    feeds.commit()
    register(fam["child"], tree["c1"], "dfuc", "difficulty")
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == {"situation_ended:dfuc"}
    assert found["situation_ended:dfuc"]["evidence"] == [
        {"source": "justice", "batch": found["situation_ended:dfuc"]["evidence"][0]["batch"],
         "row": 2, "fact": "imprisoned_ended", "subject": "father", "detail": "包头监狱",
         "on": "2024-01-01", "until": "2026-01-31"}
    ]  # fmt: skip
    # Before the release the child is still DFUC (and holds it): nothing.
    assert leads_of(run_rules(as_of=date(2026, 1, 31)), fam["child"]) == {}


def test_situation_ended_contact_regained(feeds, tree):
    fam = family()
    back = {**fam["father"], "status": "normal", "status_date": date(2026, 2, 10)}
    dead = {**fam["mother"], "status": "dead", "status_date": date(2020, 1, 1)}
    feeds.add("police", back, dead, fam["child"])
    feeds.commit()
    register(fam["child"], tree["c1"], "dfuc")
    lead = leads_of(run_rules(), fam["child"])["situation_ended:dfuc"]
    assert [(e["subject"], e["fact"]) for e in lead["evidence"]] == [("father", "status_normal")]


def test_no_situation_ended_while_still_dfuc(feeds, tree):
    fam = family()
    lost = {**fam["father"], "status": "lost_contact", "status_date": date(2025, 1, 1)}
    dead = {**fam["mother"], "status": "dead", "status_date": date(2020, 1, 1)}
    feeds.add("police", lost, dead, fam["child"])
    feeds.add("health", {"name": "父", "id_number": fam["father"]["id_number"], "disease": "x",
                         "recognised_on": date(2021, 1, 1),
                         "end_date": date(2022, 1, 1)})  # fmt: skip
    feeds.commit()
    register(fam["child"], tree["c1"], "dfuc")
    assert leads_of(run_rules(), fam["child"]) == {}


def test_ending_kinds_only_for_open_categories(feeds, tree):
    kid = person("赵九", date(2015, 1, 1), status="dead", status_date=date(2026, 1, 5))
    feeds.add("police", kid)
    feeds.commit()
    child = register(kid, tree["c1"])
    CategoryFactory(
        child=child,
        category="orphan",
        status="ended",
        ended_reason="已被收养",
        proposed_by__division=tree["c1"],
    )
    assert leads_of(run_rules(), kid) == {}
