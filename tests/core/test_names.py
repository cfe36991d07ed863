import pytest
from hypothesis import given
from hypothesis import strategies as st

from huhang.core import names

MIDDLE_DOT = "\u00b7"

cjk_text = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("買買提•艾力", "买买提·艾力"),
        ("張(zhāng)偉", "张伟"),
        ("王 小海", "王小海"),
        ("\u3000王\t小海\u200b ", "王小海"),
        ("當(dāng)前", "当前"),
        ("當（dāng）前", "当前"),
        ("王小海【曾用名】", "王小海"),
        ("王小海(曾用名(王海))", "王小海"),
        ("Ｍａｒｙ Ｌｅｅ", "marylee"),
        ("王小海(", "王小海("),
        ("王\ud800小海", "王小海"),  # lone surrogate, as JSON input can carry
    ],
)
def test_normalize_examples(raw, expected):
    assert names.normalize(raw) == expected


@pytest.mark.parametrize(
    "dot",
    ["·", "•", "・", ".", "．", "‧", "･", "\u00b7", "\u30fb", "\u2022", "\u2027", "\uff65"],
)
def test_middle_dot_variants_are_unified(dot):
    assert names.normalize(f"买买提{dot}艾力") == f"买买提{MIDDLE_DOT}艾力"


def test_repeated_and_spaced_dots_become_one():
    assert names.normalize("买买提 • • 艾力") == f"买买提{MIDDLE_DOT}艾力"


def test_plain_dot_outside_chinese_is_kept():
    assert names.normalize("J.Smith") == "j.smith"


def test_traditional_to_simplified():
    assert names.normalize("劉曉東") == "刘晓东"
    assert names.normalize("鄭國華") == "郑国华"


def test_normalize_keeps_simplified_names():
    for name in ["王小海", "李娜", "欧阳娜娜", "买买提·艾力"]:
        assert names.normalize(name) == name


def test_pinyin_and_initials():
    assert names.pinyin("王小海") == "wangxiaohai"
    assert names.initials("王小海") == "wxh"
    assert names.pinyin("買買提•艾力") == "maimaitiaili"
    assert names.initials("買買提•艾力") == "mmtal"
    assert names.pinyin("王Ａnna") == "wanganna"
    assert names.initials("王Anna") == "wa"


def test_pinyin_reads_traditional_characters():
    assert names.pinyin("張偉") == "zhangwei"


def test_surname_readings():
    assert names.pinyin("曾小海") == "zengxiaohai"
    assert names.pinyin("单田芳") == "shantianfang"
    assert names.pinyin("尉迟恭") == "yuchigong"
    assert names.initials("尉迟恭") == "ycg"
    # A transliterated name has no surname in front.
    assert names.pinyin("查尔斯·达尔文") == "chaersidaerwen"


def test_given_name_readings_are_per_character():
    # Phrase readings would give "bolin" and "zhangjiang"-style mistakes.
    assert names.pinyin("王柏林") == "wangbailin"
    assert names.pinyin("王长江") == "wangchangjiang"
    assert names.pinyin("长孙无忌") == "zhangsunwuji"


def test_search_key():
    assert names.search_key("王小海") == "王小海 wangxiaohai wxh"
    assert names.search_key("張 偉") == "张伟 zhangwei zw"
    assert names.search_key("") == ""


@pytest.mark.parametrize(
    "query", ["王小", "小海", "wangxiao", "XIAOHAI", "wxh", " xh ", "王 小 海"]
)
def test_search_term_matches_key(query):
    assert names.search_term(query) in names.search_key("王小海")


@pytest.mark.parametrize("query", ["海w", "王小海wang", "李", "wangxiaohaiw"])
def test_search_term_does_not_match_across_parts(query):
    assert names.search_term(query) not in names.search_key("王小海")


def test_search_term_normalises_like_names():
    assert names.search_term(" 劉 ") == "刘"
    assert names.search_term("Ｗａｎｇ") == "wang"
    assert names.search_term("买买提•艾") == f"买买提{MIDDLE_DOT}艾"


@given(st.text(alphabet=st.characters(codec=None)))
def test_normalize_is_idempotent(text):
    once = names.normalize(text)
    assert names.normalize(once) == once


@given(st.text())
def test_normalize_removes_whitespace(text):
    assert not any(ch.isspace() for ch in names.normalize(text))


@given(cjk_text)
def test_pinyin_of_chinese_is_ascii_lowercase(text):
    for value in (names.pinyin(text), names.initials(text)):
        assert value.isascii()
        assert value == value.lower()
        assert value.isalpha() or value == ""


@given(cjk_text)
def test_search_key_contains_pinyin_and_initials(text):
    key = names.search_key(text)
    assert names.normalize(text) in key
    assert names.pinyin(text) in key
    assert names.initials(text) in key
    assert key == key.lower()


@given(st.text())
def test_search_term_of_normalized_name_is_found(text):
    normalized = names.normalize(text)
    assert names.search_term(normalized) in names.search_key(text)
