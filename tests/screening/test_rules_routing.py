"""Where a lead goes: the registry child's community, else the feed's code; a code missing from
the tree goes to its nearest known ancestor, flagged."""

from __future__ import annotations

from datetime import date

import pytest

from tests.screening.conftest import AWAY, leads_of, person, register, run_rules


@pytest.mark.parametrize(
    ("hukou", "residence", "division", "flagged"),
    [
        (AWAY, "150203005002", "150203005002", False),  # a known community
        (AWAY, "150203005099", "150203005", True),  # unknown community of a known street
        (AWAY, "150203099001", "150203", True),  # unknown street: the district
        (AWAY, "150299001001", "150203", True),  # another district: the root
        (AWAY, None, "150203", True),  # no residence, hukou elsewhere: the root
        # Living elsewhere, registered here: the household registration inside the district.
        ("150203005099", "150299001001", "150203005", True),
        ("150203100201", AWAY, "150203100201", False),
    ],
)
def test_nearest_known_ancestor(feeds, hukou, residence, division, flagged):
    kid = person("赵一", date(2016, 1, 1), hukou=hukou, residence=residence)
    feeds.add("police", kid)
    feeds.add("education", {"name": "赵一", "id_number": kid["id_number"],
                            "student_number": "S1", "sex": "M", "birth_date": date(2016, 1, 1),
                            "school": "昆区一小", "stage": "primary",
                            "left_behind": True})  # fmt: skip
    feeds.commit()
    lead = leads_of(run_rules(), kid)["left_behind"]
    assert (lead["division_code"], lead["region_flagged"]) == (division, flagged)
    assert lead["child_id"] is None


def test_registered_child_goes_to_its_registry_community(feeds, tree):
    unknown = tree["street"].code + "099"
    kid = person("钱二", date(2016, 1, 1), hukou=AWAY, residence=unknown)
    feeds.add("police", kid)
    feeds.commit()
    register(kid, tree["village"], "difficulty")
    lead = leads_of(run_rules(), kid)["migrant"]
    assert (lead["division_code"], lead["region_flagged"]) == (tree["village"].code, False)
    assert lead["region_code"] == unknown


def test_no_code_at_all_goes_to_the_root_flagged(feeds):
    feeds.add("police", person("路人", date(1980, 1, 1)))
    feeds.add("education", {"name": "孙三", "id_number": None, "student_number": "S9",
                            "sex": "F", "birth_date": date(2014, 2, 2), "school": "昆区一小",
                            "stage": "primary", "left_behind": True})  # fmt: skip
    feeds.commit()
    (lead,) = [lead for lead in run_rules() if lead["person_key"] == "edu:S9"]
    assert (lead["kind"], lead["division_code"], lead["region_flagged"]) == (
        "left_behind",
        "150203",
        True,
    )
