"""link_people: by ID, by Splink for rows without one, homonyms to review, supervisors'
decisions applied on the next run. Hand-made snapshots (tests/screening/conftest.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from django.conf import settings
from django.utils import timezone

from huhang.screening.analytics.linkage import link_people
from huhang.screening.models import LinkReview, LinkStatus
from tests.factories.base import DivisionFactory
from tests.factories.screening import LinkReviewFactory
from tests.screening.conftest import AS_OF, HERE, THERE, person

BIRTH = date(2014, 5, 17)


def student(name: str, birth: date = BIRTH, *, sex: str = "M", id_number=None, **more) -> dict:
    row = {
        "name": name,
        "id_number": id_number,
        "student_number": more.pop("student_number", f"G{abs(hash(name)) % 10**10:010d}"),
        "sex": sex,
        "birth_date": birth,
        "school": "昆都仑区第一小学",
        "stage": "primary",
        "hukou_code": HERE,
        "residence_code": HERE,
    }
    row.update(more)
    return row


def crowd() -> list[dict]:
    """People the linker must not confuse with anyone: same birth date, other names; same
    surname and birth date; a name one character away born on another day."""
    return [
        person("李明", BIRTH),
        person("张晓东", BIRTH),
        person("王小红", BIRTH, sex="F"),
        person("刘洋", date(2014, 6, 1)),
        person("王小海", date(2011, 2, 3)),
    ]


def run(made) -> tuple[duckdb.DuckDBPyConnection, object, dict]:
    con = duckdb.connect()
    for source in ("police", "education"):
        path = Path(settings.DATA_DIR) / made[source].snapshot
        con.execute(f"CREATE VIEW {source} AS SELECT * FROM read_parquet('{path}')")
    outcome = link_people(con, as_of=AS_OF)
    links = {
        r[0]: (r[1], r[2])
        for r in con.execute('SELECT "row", id_number, method FROM links').fetchall()
    }
    return con, outcome, links


def test_a_row_with_an_id_number_links_by_it(feeds):
    someone = person("赵敏", BIRTH, sex="F")
    feeds.add("police", someone, *crowd())
    # Even a name that matches nobody: the ID number is the person.
    feeds.add("education", student("趙敏敏", sex="F", id_number=someone["id_number"]))
    _, outcome, links = run(feeds.commit())
    assert links == {2: (someone["id_number"], "id")}
    assert outcome.counts["id"] == 1 and outcome.candidates == []


@pytest.mark.parametrize(
    ("registered", "written"),
    [
        ("王小海", "王(wáng)小(xiǎo)海(hǎi)"),
        ("王小海", "王【wang】小[xiao]海(hai)"),
        ("张伟明", "張偉明"),
        ("买买提·艾力", "买买提•艾力"),
        ("买买提·艾力", "买买提・艾力"),
        ("买买提·艾力", "买买提.艾力"),
        ("买买提·艾力", "买买提．艾力"),
        ("买买提·艾力", "买买提 · 艾力"),
        ("王小海", "王\u3000小海"),
        ("王小海", "王小孩"),  # a homophone picked by the input method
        ("王小海", "王海小"),  # two characters swapped
    ],
)
def test_garbled_names_still_link(feeds, registered, written):
    someone = person(registered, BIRTH)
    feeds.add("police", someone, *crowd())
    feeds.add("education", student(written))
    _, outcome, links = run(feeds.commit())
    assert links == {2: (someone["id_number"], "splink")}
    assert outcome.candidates == []


def test_a_wrong_birth_digit_still_links_when_the_rest_agrees(feeds):
    someone = person("陈思远", BIRTH)
    feeds.add("police", someone, *crowd())
    feeds.add("education", student("陈思远", date(2014, 5, 19)))
    _, _, links = run(feeds.commit())
    assert links[2] == (someone["id_number"], "splink")


@pytest.mark.parametrize("other_place", [HERE, THERE, "150203100201"])
def test_homonyms_go_to_review_never_linked(feeds, other_place):
    one = person("张伟", BIRTH)
    two = person("张伟", BIRTH, hukou=other_place, residence=other_place)
    feeds.add("police", one, two, *crowd())
    feeds.add("education", student("张伟"))
    con, outcome, links = run(feeds.commit())
    assert links == {}
    # Splink's and the linker's working tables are gone.
    assert {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    } == {
        "police",
        "education",
        "links",
    }
    [candidate] = outcome.candidates
    assert candidate["reason"] == "homonym"
    assert candidate["candidate_id_number"] in {one["id_number"], two["id_number"]}
    assert candidate["row"] == 2 and candidate["name"] == "张伟"
    assert outcome.counts == {
        "id": 0,
        "review": 0,
        "splink": 0,
        "rows": 1,
        "uncertain": 1,
        "unlinked": 1,
    }


def test_a_child_who_is_not_in_the_register_gets_no_candidate(feeds):
    feeds.add("police", *crowd())
    feeds.add("education", student("欧阳娜娜", date(2012, 11, 30), sex="F"))
    _, outcome, links = run(feeds.commit())
    assert links == {} and outcome.candidates == []
    assert outcome.counts["unlinked"] == 1


def test_a_weak_lookalike_goes_to_review_not_linked(feeds):
    # Same surname, one character off, same birth date, but another sex and no place.
    lookalike = person("王小海", BIRTH, sex="F", hukou="150203100201", residence=None)
    feeds.add("police", lookalike, *crowd())
    feeds.add("education", student("王小梅", hukou_code=None, residence_code=None))
    _, outcome, links = run(feeds.commit())
    assert links == {}
    assert [c["candidate_id_number"] for c in outcome.candidates] in ([], [lookalike["id_number"]])


def _decide(made, row: int, candidate: dict, status: str, users, **detail) -> LinkReview:
    return LinkReviewFactory(
        batch=made["education"],
        row=row,
        name=candidate["name"],
        candidate_id_number=candidate["id_number"],
        candidate_name=candidate["name"],
        division=DivisionFactory(code=HERE),
        status=status,
        resolved_by=users["supervisor"],
        resolved_at=timezone.now(),
        detail=detail,
    )


def test_a_linked_decision_is_applied_on_the_next_run(feeds, users):
    one = person("张伟", BIRTH)
    two = person("张伟", BIRTH)
    feeds.add("police", one, two, *crowd())
    feeds.add("education", student("张伟", student_number="G001"))
    made = feeds.commit()
    _decide(made, 2, two, LinkStatus.LINKED, users, student_number="G001")
    _, outcome, links = run(made)
    assert links == {2: (two["id_number"], "review")}
    assert outcome.candidates == []
    assert outcome.counts["review"] == 1


def test_a_decision_follows_the_student_to_a_later_snapshot(feeds, users):
    one = person("张伟", BIRTH)
    two = person("张伟", BIRTH)
    feeds.add("police", one, two, *crowd())
    feeds.add("education", student("张伟", student_number="G001"))
    first = feeds.commit()
    _decide(first, 2, one, LinkStatus.LINKED, users, student_number="G001")
    # Next month: the same student on another row of a new batch.
    feeds.rows = {
        "education": [
            student("李明", student_number="G999"),
            student("张伟", student_number="G001"),
        ]
    }
    second = feeds.commit()
    second["police"] = first["police"]
    _, _, links = run(second)
    assert links[3] == (one["id_number"], "review")


def test_a_distinct_decision_is_never_linked_nor_proposed_again(feeds, users):
    someone = person("陈思远", BIRTH)
    feeds.add("police", someone, *crowd())
    feeds.add("education", student("陈思远", student_number="G002"))
    made = feeds.commit()
    _, _, links = run(made)
    assert links == {2: (someone["id_number"], "splink")}  # certain, until a person says no
    _decide(made, 2, someone, LinkStatus.DISTINCT, users, student_number="G002")
    _, outcome, links = run(made)
    assert links == {} and outcome.candidates == []


def test_excluding_one_homonym_does_not_link_the_other(feeds, users):
    one = person("张伟", BIRTH)
    two = person("张伟", BIRTH)
    feeds.add("police", one, two, *crowd())
    feeds.add("education", student("张伟"))
    made = feeds.commit()
    _decide(made, 2, one, LinkStatus.DISTINCT, users)
    _, outcome, links = run(made)
    assert links == {}
    [candidate] = outcome.candidates
    assert candidate["candidate_id_number"] == two["id_number"]
    assert candidate["reason"] == "homonym"


def test_no_rows_without_id_skips_splink_and_leaves_no_working_tables(feeds):
    someone = person("赵敏", BIRTH, sex="F")
    feeds.add("police", someone)
    feeds.add("education", student("赵敏", sex="F", id_number=someone["id_number"]))
    con, outcome, links = run(feeds.commit())
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert tables == {"police", "education", "links"}
    assert outcome.counts["rows"] == 1 and links[2][1] == "id"


def test_the_whole_loop_store_resolve_and_link_again(feeds, users):
    from huhang.screening.links.services import link_review_resolve, link_reviews_store

    one = person("张伟", BIRTH)
    two = person("张伟", BIRTH, hukou=THERE, residence=THERE)
    feeds.add("police", one, two, *crowd())
    feeds.add("education", student("张伟"))
    made = feeds.commit()
    _, outcome, links = run(made)
    assert links == {}
    assert link_reviews_store(run=None, candidates=outcome.candidates) == 1
    # The next screening asks nothing new while the question is open.
    _, outcome, _ = run(made)
    assert link_reviews_store(run=None, candidates=outcome.candidates) == 0
    question = LinkReview.objects.get()
    assert question.division_id == HERE
    link_review_resolve(by=users["supervisor"], review=question, same_person=True)
    _, outcome, links = run(made)
    assert links == {2: (question.candidate_id_number, "review")}
    assert outcome.candidates == []


def test_a_household_registration_elsewhere_is_never_linked_automatically(feeds):
    """Issue 12: a student with the same name, birth date and sex as a local orphan, living in
    the same community but registered (户籍地) in another province, was linked to the orphan.
    Now the pair goes to review with the reason "hukou"."""
    orphan = person("陈思远", BIRTH)
    feeds.add("police", orphan, *crowd())
    feeds.add("education", student("陈思远", hukou_code="130102001001", residence_code=HERE))
    _, outcome, links = run(feeds.commit())
    assert links == {}
    [candidate] = outcome.candidates
    assert candidate["reason"] == "hukou"
    assert candidate["candidate_id_number"] == orphan["id_number"]


@pytest.mark.parametrize("hukou", ["150203000000", "150203005", None])
def test_a_coarser_or_missing_household_registration_does_not_disagree(feeds, hukou):
    orphan = person("陈思远", BIRTH)
    feeds.add("police", orphan, *crowd())
    feeds.add("education", student("陈思远", hukou_code=hukou))
    _, _, links = run(feeds.commit())
    assert links == {2: (orphan["id_number"], "splink")}
