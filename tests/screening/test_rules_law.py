"""The rules at the law's edges (issue 15), each test named after the clause it checks and, where
a day decides, run on the day before, the day and the day after. docs/rules.md lists the clauses.

Every finding of the issue is reproduced here: each test marked "finding" failed on the rules
before the change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories.registry import CategoryFactory
from tests.screening.conftest import AWAY, HERE, family, leads_of, person, register, run_rules

ONE = timedelta(days=1)


def _justice(row: dict, start: date, end: date | None, measure: str = "imprisoned") -> dict:
    return {"name": row["name"], "id_number": row["id_number"], "measure": measure,
            "start_date": start, "end_date": end, "agency": "包头监狱"}  # fmt: skip


def _disability(row: dict, kind: str = "mental", level: int = 3) -> dict:
    return {"name": row["name"], "id_number": row["id_number"], "disability_kind": kind,
            "level": level, "issued_on": date(2020, 1, 1)}  # fmt: skip


def _court(row: dict, judgment: str, on: date, child: dict | None = None) -> dict:
    return {"name": row["name"], "id_number": row["id_number"], "judgment": judgment,
            "judgment_date": on, "case_number": "(2026)内0203民特1号",
            "child_id": child["id_number"] if child else None}  # fmt: skip


def _student(row: dict, stage: str = "higher", **extra) -> dict:
    return {"name": row["name"], "id_number": row["id_number"],
            "student_number": "S-" + row["id_number"][-6:], "sex": row["sex"],
            "birth_date": row["birth_date"], "school": "内蒙古科技大学", "stage": stage,
            "full_time": True, "enrolled_on": date(2024, 9, 1), **extra}  # fmt: skip


def _dead(row: dict, on: date = date(2019, 1, 1)) -> dict:
    return {**row, "status": "dead", "status_date": on}


# --- 民法典 Art. 1259, 201, 202: "6个月以上" includes six months; both ends of a term count --------


# (first day of the term, the last day that makes six months)
TERMS = [
    (date(2026, 6, 1), date(2026, 11, 30)),  # DOMAIN.md's example (finding: one day short)
    (date(2025, 3, 15), date(2025, 9, 14)),  # finding: one day short
    (date(2023, 8, 29), date(2024, 2, 28)),  # finding: one day short
    (date(2025, 8, 31), date(2026, 2, 28)),  # no 31 February: the month's end
    (date(2023, 8, 31), date(2024, 2, 29)),  # a leap year's month end
    (date(2024, 3, 1), date(2024, 8, 31)),  # from the 1st: to the last day of the 6th month
]


@pytest.mark.parametrize(("start", "six_months"), TERMS)
@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_1259_201_202_term_of_six_months_counts_both_ends(feeds, start, six_months, shift):
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"], start, six_months + shift * ONE))
    feeds.add("disability", _disability(fam["mother"]))
    feeds.commit()
    found = leads_of(run_rules(as_of=start + timedelta(days=20)), fam["child"])
    assert ("dfuc" in found) is (shift >= 0)


@pytest.mark.parametrize("measure", ["drug_rehab", "liberty_restricted"])
def test_1259_the_domain_example_for_every_measure(feeds, measure):
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"], date(2026, 6, 1), date(2026, 11, 30), measure))
    feeds.add("disability", _disability(fam["mother"]))
    feeds.commit()
    assert "dfuc" in leads_of(run_rules(as_of=date(2026, 7, 1)), fam["child"])


# 失联: "6 months or more, counted from the day the police accepted the report" — the report's
# day not counted (Art. 201), ending on the corresponding day or the month's end (Art. 202).
@pytest.mark.parametrize(
    ("reported", "complete"),
    [(date(2025, 9, 10), date(2026, 3, 10)), (date(2025, 8, 31), date(2026, 2, 28)),
     (date(2023, 8, 31), date(2024, 2, 29))],
)  # fmt: skip
@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_62_lost_contact_six_months_from_the_report(feeds, reported, complete, shift):
    fam = family()
    feeds.add("police", {**fam["father"], "status": "lost_contact", "status_date": reported},
              _dead(fam["mother"]), fam["child"])  # fmt: skip
    feeds.commit()
    found = leads_of(run_rules(as_of=complete + shift * ONE), fam["child"])
    assert ("dfuc" in found) is (shift >= 0)


# Open question: open-ended pre-trial detention. Default: it counts from its first day.
@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_setting_open_detention_counts_from_its_first_day(feeds, shift):
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"], date(2025, 9, 1), None))
    feeds.add("disability", _disability(fam["mother"]))
    feeds.commit()
    found = leads_of(run_rules(as_of=date(2025, 9, 1) + shift * ONE), fam["child"])
    assert ("dfuc" in found) is (shift >= 0)


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_setting_open_detention_counts_once_it_lasted_six_months(feeds, settings, shift):
    settings.HUHANG_OPEN_DETENTION_MONTHS = 6
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"], date(2025, 9, 1), None))
    feeds.add("disability", _disability(fam["mother"]))
    feeds.commit()
    found = leads_of(run_rules(as_of=date(2026, 2, 28) + shift * ONE), fam["child"])
    assert ("dfuc" in found) is (shift >= 0)


# --- 民法典 Art. 17 (18) and 国发〔2016〕13号 (留守: under 16) -----------------------------------------


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_17_protection_ends_on_the_18th_birthday(feeds, tree, shift):
    kid = person("赵一", date(2008, 3, 10))
    feeds.add("police", kid)
    feeds.commit()
    register(kid, tree["c1"], "orphan")
    found = leads_of(run_rules(as_of=date(2026, 3, 10) + shift * ONE), kid)
    assert ("turned_18:orphan" in found) is (shift >= 0)


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_setting_18th_birthday_still_protected(feeds, tree, settings, shift):
    settings.HUHANG_PROTECTION_ENDS_ON_18TH_BIRTHDAY = False
    kid = person("赵一", date(2008, 3, 10))
    feeds.add("police", kid)
    feeds.commit()
    register(kid, tree["c1"], "orphan")
    found = leads_of(run_rules(as_of=date(2026, 3, 10) + shift * ONE), kid)
    assert ("turned_18:orphan" in found) is (shift >= 1)


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_17_no_orphan_lead_from_the_18th_birthday(feeds, shift):
    fam = family(child_birth=date(2008, 3, 10))
    feeds.add("police", _dead(fam["father"]), _dead(fam["mother"]), fam["child"])
    feeds.commit()
    found = leads_of(run_rules(as_of=date(2026, 3, 10) + shift * ONE), fam["child"])
    assert ("orphan" in found) is (shift < 0)


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_13_left_behind_ends_at_16(feeds, tree, shift):
    """Finding: left-behind did not end at 16."""
    kid = person("钱二", date(2010, 3, 10))
    feeds.add("police", kid)
    feeds.commit()
    register(kid, tree["c1"], "left_behind")
    found = leads_of(run_rules(as_of=date(2026, 3, 10) + shift * ONE), kid)
    assert ("turned_16:left_behind" in found) is (shift >= 0)
    if shift >= 0:
        assert found["turned_16:left_behind"]["evidence"] == [
            {"source": "registry", "fact": "turned_16", "subject": "self", "on": "2026-03-10"}
        ]


def test_setting_students_keep_the_allowance(feeds, tree, settings):
    kid = person("孙三", date(2008, 1, 10))
    idle = person("孙四", date(2008, 1, 10))
    feeds.add("police", kid, idle)
    feeds.add("education", _student(kid, stage="senior"))
    feeds.commit()
    register(kid, tree["c1"], "orphan")
    register(idle, tree["c1"], "orphan")
    leads = run_rules()
    assert "turned_18:orphan" in leads_of(leads, kid)  # default: the national rule
    settings.HUHANG_STUDENTS_KEEP_ALLOWANCE = True
    leads = run_rules()
    assert "turned_18:orphan" not in leads_of(leads, kid)
    assert "turned_18:orphan" in leads_of(leads, idle)  # not studying: ends at 18


# --- Transitions and endings -------------------------------------------------------------------


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_1111_adoption_ends_orphan_protection(feeds, shift):
    """Finding: an adopted orphan raised an orphan lead on every run."""
    fam = family()
    adopter = person("收养人", date(1980, 1, 1))
    feeds.add("police", _dead(fam["father"]), _dead(fam["mother"]), fam["child"], adopter)
    feeds.add("court", _court(adopter, "adoption", date(2026, 2, 1), child=fam["child"]))
    feeds.commit()
    found = leads_of(run_rules(as_of=date(2026, 2, 1) + shift * ONE), fam["child"])
    assert ("orphan" in found) is (shift < 0)


def test_1111_adopted_orphan_registered_gets_the_ending_only(feeds, tree):
    fam = family()
    adopter = person("收养人", date(1980, 1, 1))
    feeds.add("police", _dead(fam["father"]), _dead(fam["mother"]), fam["child"], adopter)
    feeds.add("court", _court(adopter, "adoption", date(2026, 2, 1), child=fam["child"]))
    feeds.commit()
    register(fam["child"], tree["c1"], "orphan")
    assert set(leads_of(run_rules(), fam["child"])) == {"adopted:orphan"}


def test_62_an_orphan_is_not_also_dfuc_when_a_situation_appears(feeds, tree):
    """Finding: a registered orphan got a DFUC lead when a parent's situation appeared."""
    fam = family()
    feeds.add("police", _dead(fam["father"]), fam["mother"], fam["child"])
    feeds.add("justice", _justice(fam["mother"], date(2025, 1, 1), None))
    feeds.commit()
    assert "dfuc" in leads_of(run_rules(), fam["child"])  # not registered: DFUC by the feeds
    register(fam["child"], tree["c1"], "orphan")
    assert leads_of(run_rules(), fam["child"]) == {}


def test_62_dfuc_child_whose_remaining_parent_dies_is_raised_as_orphan(feeds, tree):
    fam = family()
    feeds.add("police", _dead(fam["father"]), _dead(fam["mother"], date(2026, 2, 1)),
              fam["child"])  # fmt: skip
    feeds.commit()
    register(fam["child"], tree["c1"], "dfuc")
    assert set(leads_of(run_rules(), fam["child"])) == {"orphan"}


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_46_child_declared_dead_by_a_court(feeds, tree, shift):
    """Finding: a child declared dead by a court got no `deceased` lead."""
    kid = person("李五", date(2014, 1, 1))
    feeds.add("police", kid)
    feeds.add("court", _court(kid, "declared_dead", date(2026, 2, 1)))
    feeds.commit()
    register(kid, tree["c1"], "difficulty")
    found = leads_of(run_rules(as_of=date(2026, 2, 1) + shift * ONE), kid)
    assert ("deceased:difficulty" in found) is (shift >= 0)
    if shift >= 0:
        item = found["deceased:difficulty"]["evidence"][0]
        assert (item["source"], item["fact"], item["on"]) == ("court", "declared_dead",
                                                              "2026-02-01")  # fmt: skip


def _approved_dfuc(tree, row: dict, since: date = date(2025, 6, 1)):
    child = register(row, tree["c1"])
    CategoryFactory(child=child, category="dfuc", approved=True, effective_from=since,
                    proposed_by__division=tree["c1"])  # fmt: skip
    return child


def test_62_term_shortened_on_appeal_raises_a_review(feeds, tree):
    """Finding: a term shortened on appeal (now under six months) raised nothing."""
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"], date(2025, 5, 1), date(2025, 9, 30)))
    feeds.add("disability", _disability(fam["mother"], "physical", 1))
    feeds.commit()
    _approved_dfuc(tree, fam["child"])
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == {"review:dfuc"}
    facts = {(e["fact"], e.get("subject")) for e in found["review:dfuc"]["evidence"]}
    assert facts == {("not_supported_by_feeds", "self"), ("term_under_six_months", "father")}


def test_62_certificate_downgraded_below_severe_raises_a_review(feeds, tree):
    """Finding: a certificate downgraded below 重残 raised nothing."""
    fam = feeds.family(family())
    feeds.add("justice", _justice(fam["father"], date(2025, 1, 1), None))
    feeds.add("disability", _disability(fam["mother"], "physical", 3))
    feeds.commit()
    _approved_dfuc(tree, fam["child"])
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == {"review:dfuc"}
    assert ("disability_not_severe", "mother") in {
        (e["fact"], e.get("subject")) for e in found["review:dfuc"]["evidence"]
    }


def test_62_status_normal_before_the_category_is_no_evidence_of_an_end(feeds, tree):
    """Finding: a lead citing 'status normal' for a child whose category rests on facts outside
    the feeds. A status dated before the category took effect says nothing; one after it does."""
    fam = family()
    old = {**fam["father"], "status": "normal", "status_date": date(2020, 1, 1)}
    feeds.add("police", old, _dead(fam["mother"]), fam["child"])
    feeds.commit()
    _approved_dfuc(tree, fam["child"])
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == {"review:dfuc"}
    assert [e["fact"] for e in found["review:dfuc"]["evidence"]] == ["not_supported_by_feeds"]


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_62_contact_regained_since_the_category_ends_it(feeds, tree, shift):
    since = date(2025, 6, 1)
    fam = family()
    back = {**fam["father"], "status": "normal", "status_date": since + shift * ONE}
    feeds.add("police", back, _dead(fam["mother"]), fam["child"])
    feeds.commit()
    _approved_dfuc(tree, fam["child"], since)
    found = leads_of(run_rules(), fam["child"])
    assert set(found) == ({"situation_ended:dfuc"} if shift >= 0 else {"review:dfuc"})


def test_nothing_raised_again_after_the_category_ended(feeds, tree):
    fam = family()
    feeds.add("police", fam["father"], _dead(fam["mother"]), fam["child"])
    feeds.commit()
    child = register(fam["child"], tree["c1"])
    CategoryFactory(child=child, category="dfuc", ended=True, proposed_by__division=tree["c1"])
    assert leads_of(run_rules(), fam["child"]) == {}


# --- The missing branches ----------------------------------------------------------------------


def test_13_left_behind_one_parent_away_the_other_unable_to_care(feeds):
    """Finding: only the first branch (both parents away) was implemented."""
    fam = family()
    away = {**fam["father"], "residence_code": AWAY}
    feeds.add("police", away, fam["mother"], fam["child"])
    feeds.add("disability", _disability(fam["mother"], "physical", 1))
    feeds.commit()
    lead = leads_of(run_rules(), fam["child"])["left_behind"]
    assert {(e["fact"], e["subject"]) for e in lead["evidence"]} == {
        ("parent_lives_away", "father"),
        ("severe_disability", "mother"),
    }


def test_13_left_behind_not_when_the_parent_at_home_can_care(feeds):
    fam = family()
    feeds.add("police", {**fam["father"], "residence_code": AWAY}, fam["mother"], fam["child"])
    feeds.commit()
    assert leads_of(run_rules(), fam["child"]) == {}


def test_36_difficulty_through_lack_of_guardianship(feeds):
    """Finding: 困境儿童's third branch (监护缺失) raised nothing."""
    fam = family()
    feeds.add("police", fam["father"], {**fam["mother"], "residence_code": AWAY}, fam["child"])
    feeds.add("court", _court(fam["father"], "guardianship_revoked", date(2025, 5, 1),
                              child=fam["child"]))  # fmt: skip
    feeds.commit()
    lead = leads_of(run_rules(), fam["child"])["difficulty"]
    assert {(e["fact"], e["subject"]) for e in lead["evidence"]} == {
        ("guardianship_revoked", "father"),
        ("parent_lives_away", "mother"),
    }


def test_36_guardianship_revoked_the_other_parent_at_home_is_nothing(feeds):
    fam = feeds.family(family())
    feeds.add("court", _court(fam["father"], "guardianship_revoked", date(2025, 5, 1),
                              child=fam["child"]))  # fmt: skip
    feeds.commit()
    assert leads_of(run_rules(), fam["child"]) == {}


def test_54_unknown_father_reaches_a_person(feeds):
    """Finding: a child with a blank parent number was dropped in silence."""
    mother = person("李母", date(1987, 1, 1), sex="F")
    kid = person("李六", date(2015, 1, 1), mother=mother)
    feeds.add("police", _dead(mother), kid)
    feeds.commit()
    lead = leads_of(run_rules(), kid)["parent_unknown"]
    assert lead["category"] == ""
    assert {(e["fact"], e["subject"]) for e in lead["evidence"]} == {
        ("father_unknown", "father"),
        ("dead", "mother"),
    }


def test_54_unknown_father_mother_well_is_nothing(feeds):
    mother = person("李母", date(1987, 1, 1), sex="F")
    kid = person("李六", date(2015, 1, 1), mother=mother)
    feeds.add("police", mother, kid)
    feeds.commit()
    assert leads_of(run_rules(), kid) == {}


def test_62_migrant_dfuc_is_referred_to_the_hukou_place(feeds):
    """Finding: a DFUC child living here with 户籍 elsewhere was raised as DFUC here."""
    fam = family(hukou=AWAY, residence=HERE)
    feeds.add("police", _dead(fam["father"]), fam["mother"], fam["child"])
    feeds.add("justice", _justice(fam["mother"], date(2025, 1, 1), None))
    feeds.commit()
    found = leads_of(run_rules(), fam["child"])
    assert "dfuc" not in found
    lead = found["referral"]
    assert lead["category"] == "dfuc" and lead["division_code"] == HERE
    item = next(e for e in lead["evidence"] if e["fact"] == "hukou_elsewhere")
    assert (item["source"], item["row"], item["subject"], item["detail"]) == (
        "police",
        4,
        "self",
        AWAY,
    )


# --- 福彩圆梦·孤儿助学 (2025) -----------------------------------------------------------------------


def _orphan_student(feeds, birth: date = date(2006, 1, 10), **student) -> dict:
    fam = family(child_birth=birth)
    feeds.add("police", _dead(fam["father"]), _dead(fam["mother"]), fam["child"])
    feeds.add("education", _student(fam["child"], **student))
    return fam


@pytest.mark.parametrize("stage", ["senior", "vocational", "higher"])
def test_scholarship_2025_stages(feeds, stage):
    """Finding: only higher education counted."""
    fam = _orphan_student(feeds, stage=stage)
    feeds.commit()
    assert "scholarship" in leads_of(run_rules(), fam["child"])


def test_scholarship_2025_not_part_time_nor_junior(feeds):
    part = _orphan_student(feeds, full_time=False)
    junior = _orphan_student(feeds, stage="junior")
    feeds.commit()
    leads = run_rules()
    assert "scholarship" not in leads_of(leads, part["child"])
    assert "scholarship" not in leads_of(leads, junior["child"])


@pytest.mark.parametrize("shift", [-1, 0, 1], ids=["day_before", "day", "day_after"])
def test_scholarship_2025_without_interruption(feeds, shift):
    # 18 on 2024-01-10: enrolled no later than 1 September 2025.
    fam = _orphan_student(feeds, enrolled_on=date(2025, 9, 1) + shift * ONE)
    feeds.commit()
    assert ("scholarship" in leads_of(run_rules(), fam["child"])) is (shift <= 0)


def test_scholarship_2025_adopted_orphan_only_if_disabled(feeds):
    adopter = person("收养人", date(1980, 1, 1))
    plain = _orphan_student(feeds)
    disabled = _orphan_student(feeds)
    feeds.add("police", adopter)
    for fam in (plain, disabled):
        feeds.add("court", _court(adopter, "adoption", date(2015, 1, 1), child=fam["child"]))
    feeds.add("disability", _disability(disabled["child"], "physical", 4))
    feeds.commit()
    leads = run_rules()
    assert "scholarship" not in leads_of(leads, plain["child"])
    assert "scholarship" in leads_of(leads, disabled["child"])


def test_setting_scholarship_for_dfuc_by_local_rule(feeds, settings):
    fam = family(child_birth=date(2006, 1, 10))
    feeds.add("police", _dead(fam["father"]), fam["mother"], fam["child"])
    feeds.add("justice", _justice(fam["mother"], date(2020, 1, 1), None))
    feeds.add("education", _student(fam["child"], stage="vocational"))
    feeds.commit()
    assert "scholarship" in leads_of(run_rules(), fam["child"])  # on by default
    settings.HUHANG_SCHOLARSHIP_DFUC = False
    assert "scholarship" not in leads_of(run_rules(), fam["child"])
