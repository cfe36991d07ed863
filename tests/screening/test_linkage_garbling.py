"""Property: however a department garbles a registered name (traditional characters, bracketed
pinyin with or without tones, look-alike middle dots, full-width and zero-width spaces),
the row still links to the person, automatically and to no one else."""

from __future__ import annotations

from datetime import date

import duckdb
import opencc
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from huhang.core import idnumber
from huhang.screening.analytics.linkage import link_people
from huhang.screening.analytics.schema import SCHEMAS

BIRTH = date(2013, 9, 21)
NAMES = ["王小海", "张伟明", "欧阳娜娜", "买买提·艾力", "阿依古丽·吐尔逊", "刘洋", "陈思远"]
DOTS = ["·", "•", "・", ".", "．", "‧", "∙", "⋅"]
STYLES = [Style.TONE, Style.NORMAL, Style.TONE3]
_s2t = opencc.OpenCC("s2t")


@st.composite
def garbled(draw):
    name = draw(st.sampled_from(NAMES))
    text = name
    if "·" in text:
        text = text.replace("·", draw(st.sampled_from(DOTS)))
    if draw(st.booleans()):
        text = _s2t.convert(text)
    if draw(st.booleans()):
        style = draw(st.sampled_from(STYLES))
        brackets = draw(st.sampled_from(["()", "[]", "【】", "（）"]))
        readings = lazy_pinyin(name.replace("·", ""), style=style)
        chars = [c for c in text if c not in "".join(DOTS)]
        out, i = [], 0
        for c in text:
            out.append(c)
            if c in chars and i < len(readings):
                out.append(f"{brackets[0]}{readings[i]}{brackets[-1]}")
                i += 1
        text = "".join(out)
    if draw(st.booleans()):
        at = draw(st.integers(1, len(text) - 1))
        text = text[:at] + draw(st.sampled_from(["\u3000", " ", "\u200b"])) + text[at:]
    return name, text


def _people() -> pa.Table:
    rows = []
    for i, name in enumerate(NAMES):
        rows.append(
            {
                "batch": 1,
                "row": i + 2,
                "name": name,
                "name_key": name,
                "id_number": idnumber.make("150203", BIRTH, i * 2 + 1),
                "sex": "M",
                "birth_date": BIRTH,
                "hukou_code": "150203005001",
                "residence_code": "150203005001",
                "status": "normal",
            }
        )
    full = [{field: None for field in SCHEMAS["police"].names} | r for r in rows]
    return pa.Table.from_pylist(full, schema=SCHEMAS["police"])


POLICE = _people()
ID_OF = dict(zip(POLICE["name"].to_pylist(), POLICE["id_number"].to_pylist(), strict=True))


@pytest.mark.django_db
@settings(max_examples=12, derandomize=True)
@given(garbled())
def test_any_garbling_of_a_registered_name_links_to_that_person(case):
    name, text = case
    education = pa.Table.from_pylist(
        [
            {field: None for field in SCHEMAS["education"].names}
            | {
                "batch": 2,
                "row": 2,
                "name": text,
                "name_key": text,  # as a careless snapshot would: the linker normalises again
                "id_number": None,
                "student_number": "G1",
                "sex": "M",
                "birth_date": BIRTH,
                "hukou_code": "150203005001",
                "residence_code": None,
            }
        ],
        schema=SCHEMAS["education"],
    )
    con = duckdb.connect()
    con.register("police", POLICE)
    con.register("education", education)
    link_people(con, as_of=date(2026, 3, 1))
    assert con.execute("SELECT id_number, method FROM links").fetchall() == [
        (ID_OF[name], "splink")
    ], text
