"""The rich data set (one lead of every kind, and the cases of issue 15) on DuckDB: what the
Spark comparison in test_engines_spark.py compares against."""

from __future__ import annotations

from tests.screening.conftest import ALL_KINDS, rich_dataset, run_rules


def test_rich_dataset_raises_every_kind_and_the_law_edges(feeds, tree):
    rich_dataset(feeds, tree)
    leads = run_rules()
    assert {lead["kind"] for lead in leads} == ALL_KINDS
    by_name = {}
    for lead in leads:
        by_name.setdefault(lead["name"], set()).add(lead["kind"])
    assert by_name["何期"] == {"dfuc"}
    assert by_name["吕户"] == {"referral", "migrant"}
    assert by_name["施知"] == {"parent_unknown"}
    assert by_name["张外"] == {"left_behind"}
    assert by_name["孔监"] == {"difficulty", "left_behind"}  # mother away, father unable
    assert "scholarship" in by_name["曹职"]
    assert by_name["严殁"] == {"deceased"}
    assert "华养" not in by_name
    assert by_name["金六"] == {"turned_16"}
    assert by_name["魏短"] == {"review"}
