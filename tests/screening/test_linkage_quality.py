"""The linker's quality on a labelled synthetic set (issue 3: precision of automatic links
>= 0.99, recall >= 0.95, the rest to review; homonyms never linked automatically)."""

from __future__ import annotations

import duckdb
import pytest

from huhang.screening.analytics import linkage_eval

PRECISION_TARGET = 0.99
RECALL_TARGET = 0.95


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [11, 2026])
def test_precision_and_recall_on_a_labelled_set(seed):
    labelled = linkage_eval.make_labelled_set(30_000, 1_500, seed=seed)
    con = duckdb.connect()
    linkage_eval.load(con, labelled)
    figures = linkage_eval.evaluate(con, labelled)
    # The set is what it claims to be: rows without ID, some of them homonyms, some migrants.
    assert figures["rows_without_id"] > 600
    assert labelled.homonym_rows
    assert figures["matchable"] < figures["rows_without_id"]
    assert figures["precision"] >= PRECISION_TARGET, figures
    assert figures["recall"] >= RECALL_TARGET, figures
    assert figures["homonyms_auto_linked"] == 0, figures
    # Everything not linked automatically and alike enough is offered for review, and the
    # offered candidate is mostly the right person.
    assert figures["review_share"] < 0.1, figures
    assert figures["review_candidate_correct"] >= 0.6 * figures["review"], figures


@pytest.mark.django_db
def test_the_set_is_deterministic():
    a = linkage_eval.make_labelled_set(2_000, 200, seed=5)
    b = linkage_eval.make_labelled_set(2_000, 200, seed=5)
    assert a.education.equals(b.education) and a.police.equals(b.police)
    assert a.truth == b.truth
    con_a, con_b = duckdb.connect(), duckdb.connect()
    linkage_eval.load(con_a, a)
    linkage_eval.load(con_b, b)
    query = "SELECT * FROM police ORDER BY id_number"
    assert con_a.execute(query).fetchall() == con_b.execute(query).fetchall()
