"""The evidence of a lead in words, for both the hand-written shape and the screening rules'
items ({source, batch, row, fact, subject, detail, on, until})."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huhang.core import idnumber
from huhang.screening.leads.evidence import (
    evidence_dates,
    evidence_line,
    evidence_school,
)
from huhang.screening.models import Lead


@pytest.mark.parametrize(
    ("item", "words"),
    [
        (
            {
                "source": "police",
                "batch": 1,
                "row": 12,
                "fact": "father dead",
                "dates": {"status_date": "2025-03-01"},
            },
            "公安人口信息 第 12 行：父亲 死亡 2025-03-01",
        ),
        (
            {
                "source": "police",
                "batch": 1,
                "row": 12,
                "fact": "dead",
                "subject": "father",
                "on": "2025-03-01",
            },
            "公安人口信息 第 12 行：父亲 死亡 2025-03-01",
        ),
        (
            {
                "source": "justice",
                "batch": 2,
                "row": 7,
                "fact": "imprisoned",
                "subject": "mother",
                "detail": "包头监狱",
                "on": "2024-01-10",
                "until": "2029-01-09",
            },
            "司法限制人身自由措施 第 7 行：母亲 服刑在押 包头监狱 2024-01-10 至 2029-01-09",
        ),
        (
            {
                "source": "justice",
                "batch": 2,
                "row": 7,
                "fact": "drug_rehab_ended",
                "subject": "father",
                "on": "2024-01-10",
                "until": "2026-01-09",
            },
            "司法限制人身自由措施 第 7 行：父亲 强制隔离戒毒情形已结束 2024-01-10 至 2026-01-09",
        ),
        (
            {"source": "registry", "fact": "turned_18", "subject": "self", "on": "2026-10-20"},
            "儿童档案：本人 年满18周岁 2026-10-20",
        ),
        (
            {
                "source": "education",
                "batch": 4,
                "row": 3,
                "fact": "higher_education",
                "subject": "self",
                "detail": "内蒙古大学",
                "on": "2025-09-01",
            },
            "教育学籍 第 3 行：本人 全日制高等教育在读 内蒙古大学 2025-09-01",
        ),
    ],
)
def test_items_in_words(item, words):
    assert evidence_line(item) == words


def test_a_parents_id_number_in_the_evidence_is_masked():
    number = idnumber.make("150203", date(1985, 1, 2), 13)
    line = evidence_line({"source": "court", "row": 2, "fact": "adoption", "detail": number})
    assert number not in line and number[:6] + "********" + number[-4:] in line


def test_dates_and_school_are_read_from_either_shape():
    lead = Lead(
        evidence=[
            {"source": "justice", "fact": "imprisoned", "on": "2022-01-01", "until": "2026-09-30"},
            {"source": "education", "fact": "higher_education", "detail": "包头师范学院"},
            {"source": "police", "fact": "dead", "dates": {"status_date": "bad date"}},
        ]
    )
    assert evidence_dates(lead) == [date(2022, 1, 1), date(2026, 9, 30)]
    assert evidence_school(lead) == "包头师范学院"
    assert evidence_school(Lead(evidence=[{"source": "education", "school": "一中"}])) == "一中"
    assert evidence_school(Lead(evidence=[])) == ""


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=30),
    st.dates().map(date.isoformat),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=3),
)
_items = st.dictionaries(
    st.sampled_from(
        [
            "source",
            "batch",
            "row",
            "fact",
            "subject",
            "who",
            "detail",
            "on",
            "until",
            "dates",
            "school",
            "x",
        ]
    ),
    _values,
    max_size=8,
)


@given(_items)
def test_any_item_gives_a_line_and_never_a_whole_id_number(item):
    line = evidence_line(item)
    assert isinstance(line, str)
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", line)


def test_an_id_number_inside_a_text_is_masked_too():
    number = idnumber.make("150203", date(1985, 1, 2), 13)
    line = evidence_line({"source": "court", "detail": f"监护人{number}。"})
    assert number not in line and "150203********" in line


@given(st.lists(_items, max_size=4))
def test_any_evidence_gives_dates_without_error(items):
    dates = evidence_dates(Lead(evidence=items))
    assert all(isinstance(d, date) for d in dates)
