"""Feeds written with a division code that a 区划调整 retired: the import accepts it, the
screening and the link review route it to the division that replaced it, and the lead says so
in its evidence; the lead is the same lead as before the change (same fingerprint)."""

from __future__ import annotations

from datetime import date

from huhang.regions.services import divisions_rename
from huhang.screening.feeds.services import feed_import
from huhang.screening.leads.evidence import evidence_lines
from huhang.screening.links.services import link_reviews_store
from huhang.screening.models import Lead, LinkReview
from huhang.screening.runs.services import screen_run
from tests.screening import feedfiles
from tests.screening.conftest import AS_OF, AWAY, Feeds, family, leads_of, person, run_rules
from tests.screening.test_link_services import batch, candidate


def rename_street(tree) -> dict[str, str]:
    """友谊大街街道 gets a new code; returns old code → new code of the street and communities."""
    new = f"{tree['district'].code}{int(tree['street'].code[-3:]) + 90:03d}"
    summary = divisions_rename(by=None, changes={tree["street"].code: new})
    return summary.changes


def orphan(feeds: Feeds, *, residence: str) -> dict:
    """A child of this district whose parents are both dead (an orphan lead)."""
    fam = family("赵孤", child_birth=date(2014, 1, 1), residence=residence)
    dead = {"status": "dead", "status_date": date(2019, 1, 1)}
    feeds.add("police", {**fam["father"], **dead}, {**fam["mother"], **dead}, fam["child"])
    return fam["child"]


def test_an_old_community_code_goes_to_its_successor_and_says_so(feeds, tree):
    old = tree["c1"].code
    kid = orphan(feeds, residence=old)
    feeds.commit()
    changes = rename_street(tree)
    lead = leads_of(run_rules(), kid)["orphan"]
    assert (lead["division_code"], lead["region_flagged"]) == (changes[old], False)
    assert lead["region_code"] == old  # as the feed wrote it
    assert lead["evidence"][-1] == {
        "source": "divisions",
        "fact": "division_alias",
        "detail": old,
        "to": changes[old],
    }


def test_an_unknown_community_of_an_old_street_goes_to_the_new_street(feeds, tree):
    unknown = tree["street"].code + "099"
    kid = person("吴流", date(2017, 1, 1), hukou=AWAY, residence=unknown)
    feeds.add("police", kid)
    feeds.commit()
    changes = rename_street(tree)
    lead = leads_of(run_rules(), kid)["migrant"]
    new_street = changes[tree["street"].code]
    assert (lead["division_code"], lead["region_flagged"]) == (new_street, True)
    assert lead["evidence"][-1]["detail"] == tree["street"].code


def test_a_current_code_has_no_alias_evidence(feeds, tree):
    kid = orphan(feeds, residence=tree["c1"].code)
    feeds.commit()
    lead = leads_of(run_rules(), kid)["orphan"]
    assert all(item.get("source") != "divisions" for item in lead["evidence"])


def test_the_lead_is_not_raised_again_after_the_change(feeds, tree, users):
    kid = orphan(feeds, residence=tree["c1"].code)
    feeds.commit()
    first = screen_run(by=users["bureau"], as_of=AS_OF)
    assert first.stats["new"] == {"orphan": 1}
    changes = rename_street(tree)
    # The stored lead moved with its community.
    assert Lead.objects.get(id_number=kid["id_number"]).division_id == changes[tree["c1"].code]
    again = screen_run(by=users["bureau"], as_of=AS_OF)
    assert again.stats["new"] == {} and again.stats["unchanged"] == {"orphan": 1}


def test_an_imported_file_with_old_codes_is_accepted_and_routed(tree, users, tmp_path):
    old = tree["c1"].code
    changes = rename_street(tree)
    born = date(2014, 1, 1)
    father = feedfiles.police_row(
        "赵父", date(1985, 1, 1), seq=1, 人员状态="死亡", 状态日期="2019-01-01"
    )
    mother = feedfiles.police_row(
        "钱母", date(1987, 1, 1), sex="F", seq=2, 人员状态="死亡", 状态日期="2019-01-01"
    )
    child = feedfiles.police_row(
        "赵孤",
        born,
        seq=3,
        父亲公民身份号码=father["公民身份号码"],
        母亲公民身份号码=mother["公民身份号码"],
    )
    rows = [
        {**row, "户籍地行政区划代码": old, "现住址行政区划代码": old}
        for row in (father, mother, child)
    ]
    path = feedfiles.write_csv(tmp_path / "police.csv", feedfiles.POLICE, rows)
    result = feed_import(by=users["bureau"], source="police", path=path, as_of=AS_OF)
    assert (result.batch.accepted, result.errors) == (3, [])
    screen_run(by=users["bureau"], as_of=AS_OF)
    lead = Lead.objects.get(kind="orphan")
    assert (lead.division_id, lead.region_flagged, lead.region_code) == (changes[old], False, old)
    assert any(old in line and changes[old] in line for line in evidence_lines(lead))
    assert "行政区划调整" in evidence_lines(lead)[-1]


def test_a_link_review_with_an_old_code_goes_to_the_successor(tree):
    changes = rename_street(tree)
    old = tree["c2"].code
    link_reviews_store(run=None, candidates=[candidate(batch(), residence_code=old)])
    review = LinkReview.objects.get()
    assert (review.division_id, review.region_code) == (changes[old], old)
