"""Given names shown to partner staff never contain the surname."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from huhang.community.display import COMPOUND_SURNAMES, given_name

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def test_examples():
    assert given_name("王小海") == "小海"
    assert given_name("李梅") == "梅"
    assert given_name("欧阳娜娜") == "娜娜"
    assert given_name("阿依古丽·买买提") == "阿依古丽"
    assert given_name("阿依古丽•买买提") == "阿依古丽"
    assert given_name(" 张 伟 ") == "伟"


@given(surname=HAN, rest=st.text(HAN, min_size=1, max_size=3))
def test_single_surname_dropped(surname, rest):
    name = surname + rest
    if name[:2] in COMPOUND_SURNAMES:
        return
    assert given_name(name) == rest


@given(
    surname=st.sampled_from(sorted(COMPOUND_SURNAMES)), rest=st.text(HAN, min_size=1, max_size=2)
)
def test_compound_surname_dropped(surname, rest):
    assert given_name(surname + rest) == rest
    # The surname does not leak into what is shown (unless the given name itself repeats it,
    # as in 太史太史: then the given name *is* those characters).
    if surname not in rest:
        assert surname not in given_name(surname + rest)
