"""困境儿童, 留守儿童, 流动儿童, 孤儿助学 and 金秋助学, from hand-made snapshots."""

from __future__ import annotations

from datetime import date

from tests.screening.conftest import AWAY, HERE, family, leads_of, person, run_rules


def _assist(row, start=date(2025, 1, 1), end=None, kind="urban_dibao"):
    return {"head_name": "户主", "head_id": row["id_number"], "name": row["name"],
            "id_number": row["id_number"], "assistance": kind, "start_date": start,
            "end_date": end, "region_code": HERE}  # fmt: skip


def _student(row, *, stage="primary", **extra):
    base = {"name": row["name"], "id_number": row["id_number"], "sex": row["sex"],
            "birth_date": row["birth_date"], "student_number": "G" + row["id_number"],
            "school": "包钢十二小", "stage": stage}  # fmt: skip
    return {**base, **extra}


# --- 困境儿童 -------------------------------------------------------------------------------


def test_difficulty_by_poverty_disability_or_illness(feeds):
    poor = feeds.family(family("赵一"))["child"]
    disabled = feeds.family(family("钱二"))["child"]
    ill = feeds.family(family("孙三"))["child"]
    past = feeds.family(family("李四"))["child"]
    feeds.add("assistance", _assist(poor, kind="tekun"))
    feeds.add("assistance", _assist(past, end=date(2026, 2, 1)))
    feeds.add("disability", {"name": "钱二", "id_number": disabled["id_number"],
                             "disability_kind": "hearing", "level": 4,
                             "issued_on": date(2024, 1, 1)})  # fmt: skip
    feeds.add("health", {"name": "孙三", "id_number": ill["id_number"], "disease": "白血病",
                         "recognised_on": date(2025, 10, 1)})  # fmt: skip
    feeds.commit()
    leads = run_rules()
    assert leads_of(leads, poor)["difficulty"]["evidence"][0]["fact"] == "tekun"
    assert leads_of(leads, disabled)["difficulty"]["evidence"][0]["detail"] == "hearing 4"
    assert leads_of(leads, ill)["difficulty"]["evidence"][0]["fact"] == "serious_illness"
    assert leads_of(leads, past) == {}


# --- 留守儿童 -------------------------------------------------------------------------------


def test_left_behind_as_the_school_recorded_it(feeds):
    kid = feeds.family(family("赵一", child_birth=date(2012, 1, 1)))["child"]
    feeds.add("education", _student(kid, left_behind=True))
    feeds.commit()
    lead = leads_of(run_rules(), kid)["left_behind"]
    assert lead["evidence"][0]["source"] == "education"


def test_left_behind_when_both_parents_live_away(feeds):
    fam = family("钱二")
    away = [{**fam[p], "residence_code": AWAY} for p in ("father", "mother")]
    feeds.add("police", *away, fam["child"])
    half = family("孙三")
    feeds.add("police", {**half["father"], "residence_code": AWAY}, half["mother"], half["child"])
    feeds.commit()
    leads = run_rules()
    lead = leads_of(leads, fam["child"])["left_behind"]
    assert {(e["subject"], e["detail"]) for e in lead["evidence"]} == {
        ("father", AWAY),
        ("mother", AWAY),
    }
    assert leads_of(leads, half["child"]) == {}


def test_left_behind_only_under_16(feeds):
    # 16 on 2026-03-01 exactly: no longer "under 16".
    kid = feeds.family(family("李四", child_birth=date(2010, 3, 1)))["child"]
    younger = feeds.family(family("周五", child_birth=date(2010, 3, 2)))["child"]
    feeds.add("education", _student(kid, left_behind=True), _student(younger, left_behind=True))
    feeds.commit()
    leads = run_rules()
    assert leads_of(leads, kid) == {}
    assert set(leads_of(leads, younger)) == {"left_behind"}


# --- 流动儿童 -------------------------------------------------------------------------------


def test_migrant_living_in_the_district(feeds):
    kid = person("吴六", date(2016, 1, 1), hukou=AWAY, residence=HERE)
    local = person("郑七", date(2016, 1, 1))
    feeds.add("police", kid, local)
    feeds.commit()
    leads = run_rules()
    lead = leads_of(leads, kid)["migrant"]
    assert lead["evidence"] == [
        {"source": "police", "batch": lead["evidence"][0]["batch"], "row": 2,
         "fact": "lives_here", "subject": "self", "detail": AWAY}
    ]  # fmt: skip
    assert lead["division_code"] == HERE and not lead["region_flagged"]
    assert leads_of(leads, local) == {}


def test_migrant_studying_in_the_district_without_an_id_number(feeds):
    feeds.add("police", person("郑七", date(1980, 1, 1)))
    feeds.add("education", {"name": "王小丫", "id_number": None, "student_number": "L2016X",
                            "sex": "F", "birth_date": date(2016, 5, 5), "school": "昆区一小",
                            "stage": "primary", "hukou_code": AWAY,
                            "residence_code": "150203005002"})  # fmt: skip
    feeds.commit()
    leads = [lead for lead in run_rules() if lead["person_key"] == "edu:L2016X"]
    assert [(lead["kind"], lead["division_code"], lead["id_number"]) for lead in leads] == [
        ("migrant", "150203005002", None)
    ]
    assert leads[0]["evidence"][0]["fact"] == "studies_here"


# --- 孤儿助学 -------------------------------------------------------------------------------


def _orphaned_student(feeds, name, birth, father_died, **student):
    fam = family(name, child_birth=birth)
    feeds.add(
        "police",
        {**fam["father"], "status": "dead", "status_date": father_died},
        {**fam["mother"], "status": "dead", "status_date": date(2015, 1, 1)},
        fam["child"],
    )
    feeds.add("education", _student(fam["child"], stage="higher", **student))
    return fam["child"]


def test_scholarship_orphan_before_18(feeds):
    student = _orphaned_student(feeds, "赵一", date(2006, 9, 1), date(2020, 1, 1), full_time=True)
    feeds.commit()
    lead = leads_of(run_rules(), student)["scholarship"]
    assert lead["category"] == ""
    assert {e["fact"] for e in lead["evidence"]} == {"higher_education", "dead"}


def test_scholarship_not_when_a_parent_died_after_the_18th_birthday(feeds):
    # 18 on 2024-09-01; the father died that very day: not "before turning 18".
    late = _orphaned_student(feeds, "钱二", date(2006, 9, 1), date(2024, 9, 1), full_time=True)
    # The day before: an orphan before turning 18.
    eve = _orphaned_student(feeds, "孙三", date(2006, 9, 1), date(2024, 8, 31), full_time=True)
    feeds.commit()
    leads = run_rules()
    assert leads_of(leads, late) == {}
    assert set(leads_of(leads, eve)) == {"scholarship"}


def test_scholarship_only_full_time_and_only_at_18(feeds):
    part_time = _orphaned_student(
        feeds, "李四", date(2006, 1, 1), date(2020, 1, 1), full_time=False
    )
    young = _orphaned_student(feeds, "周五", date(2008, 3, 2), date(2020, 1, 1), full_time=True)
    feeds.commit()
    leads = run_rules()
    assert leads_of(leads, part_time) == {}
    # Not 18 yet: an orphan lead (a child), no scholarship.
    assert set(leads_of(leads, young)) == {"orphan"}


def test_scholarship_for_dfuc_before_18(feeds):
    fam = family("吴六", child_birth=date(2007, 1, 1))
    feeds.add("police", {**fam["father"], "status": "dead", "status_date": date(2019, 1, 1)},
              fam["mother"], fam["child"])  # fmt: skip
    feeds.add("justice", {"name": "母", "id_number": fam["mother"]["id_number"],
                          "measure": "imprisoned", "start_date": date(2022, 1, 1),
                          "end_date": date(2030, 1, 1)})  # fmt: skip
    feeds.add("education", _student(fam["child"], stage="higher", full_time=True))
    feeds.commit()
    assert set(leads_of(run_rules(), fam["child"])) == {"scholarship"}


# --- 金秋助学 -------------------------------------------------------------------------------


def test_autumn_aid_final_year_of_senior_or_vocational(feeds):
    senior = feeds.family(family("赵一", child_birth=date(2008, 5, 1)))["child"]
    vocational = feeds.family(family("钱二", child_birth=date(2007, 5, 1)))["child"]
    junior = feeds.family(family("孙三", child_birth=date(2011, 5, 1)))["child"]
    not_final = feeds.family(family("李四", child_birth=date(2009, 5, 1)))["child"]
    not_poor = feeds.family(family("周五", child_birth=date(2008, 5, 1)))["child"]
    feeds.add(
        "education",
        _student(senior, stage="senior", final_year=True),
        _student(vocational, stage="vocational", final_year=True),
        _student(junior, stage="junior", final_year=True),
        _student(not_final, stage="senior", final_year=False),
        _student(not_poor, stage="senior", final_year=True),
    )
    feeds.add("assistance", *(_assist(k) for k in (senior, vocational, junior, not_final)))
    feeds.commit()
    leads = run_rules()
    assert set(leads_of(leads, senior)) == {"autumn_aid", "difficulty"}
    # 18 already: no longer a child (no 困境儿童), still 金秋助学.
    assert set(leads_of(leads, vocational)) == {"autumn_aid"}
    assert "autumn_aid" not in leads_of(leads, junior)
    assert "autumn_aid" not in leads_of(leads, not_final)
    assert leads_of(leads, not_poor) == {}
    facts = {(e["source"], e["fact"]) for e in leads_of(leads, senior)["autumn_aid"]["evidence"]}
    assert facts == {("assistance", "urban_dibao"), ("education", "final_year")}
