"""Property tests of the column parsers: dates, full-width folding, GB 11643 over a whole column
(against core.idnumber), code labels and the batch name normaliser (against core.names)."""

from __future__ import annotations

import datetime
import unicodedata

import pyarrow as pa
import pyarrow.compute
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huhang.core import idnumber, names
from huhang.screening.feeds import namekeys, validate

TODAY = datetime.date(2026, 3, 1)
DAYS = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(
    DAYS, st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{y:04d}/{m}/{d}", "{y:04d}{m:02d}{d:02d}"])
)
def test_every_allowed_date_form_parses_to_its_day(day, form):
    text = form.format(y=day.year, m=day.month, d=day.day)
    assert validate.parse_date(text) == day
    assert validate.date_column(pa.array([text])).to_pylist() == [day]


@given(st.text(max_size=12))
def test_parse_date_never_raises_and_only_accepts_real_days(text):
    day = validate.parse_date(text)
    if day is not None:
        assert day.year >= 1900
        if validate._SERIAL_RE.fullmatch(text):  # an Excel serial day number
            assert (day - datetime.date(1899, 12, 30)).days == int(text.split(".")[0])
            return
        digits = "".join(c for c in text if c.isdigit())
        assert digits.startswith(f"{day.year:04d}")


_NAME_PARTS = st.sampled_from(
    [
        "=",
        "+",
        "-",
        "@",
        "＝",
        " ",
        "\u3000",
        "\t",
        "\r",
        "\x07",
        "\x85",
        "\u202e",
        "<",
        ">",
        "&amp;",
        "&#60;",
        "&中;",
        "http://",
        "HTTPS://",
        "www.",
        "JavaScript:",
        "王",
        "·",
        "a",
    ]
)


@given(st.one_of(st.text(max_size=30), st.lists(_NAME_PARTS, max_size=6).map("".join)))
def test_the_arrow_name_check_is_core_names(text):
    """The feed's name check (RE2, column at a time) says what core.names.name_problem says."""
    got = pa.compute.match_substring_regex(pa.array([text]), validate.NAME_PROBLEM_RE2)
    assert got.to_pylist() == [names.name_problem(text) is not None]


@given(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20)
)
def test_full_width_and_spaces_fold_to_ascii(text):
    raw = pa.array([f"\u3000 {_full_width(text)}\t", text])
    for kind in ("text", "code", "date", "region"):
        cleaned = validate.clean_column(raw, kind).to_pylist()
        assert cleaned[0] == cleaned[1] == unicodedata.normalize("NFKC", text).strip()


@given(st.sampled_from(["", " ", "\u3000", "\t \u3000"]))
def test_blank_cells_are_unknown(text):
    for kind in ("name", "text", "id", "code", "date", "region"):
        assert validate.clean_column(pa.array([text]), kind).to_pylist() == [None]


@st.composite
def id_candidates(draw):
    """Valid numbers, and numbers with one thing wrong (check character, a digit, the date)."""
    birth = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY))
    number = idnumber.make(
        draw(st.sampled_from(["150203", "110101"])), birth, draw(st.integers(0, 999))
    )
    change = draw(st.sampled_from(["none", "check", "digit", "length", "date", "x", "future"]))
    if change == "check":
        number = number[:17] + draw(st.sampled_from("0123456789X"))
    elif change == "digit":
        i = draw(st.integers(0, 16))
        number = number[:i] + draw(st.sampled_from("0123456789AX")) + number[i + 1 :]
    elif change == "length":
        number = number[: draw(st.integers(0, 17))]
    elif change == "date":
        number = number[:10] + draw(st.sampled_from(["1300", "0230", "0431", "0000"])) + number[14:]
    elif change == "x":
        number = number[:17] + "x"
    elif change == "future":
        number = idnumber.make(
            "150203", TODAY + datetime.timedelta(days=draw(st.integers(1, 9000))), 1
        )
    return number


@settings(max_examples=300)
@given(st.lists(id_candidates(), min_size=1, max_size=20))
def test_id_column_agrees_with_core_idnumber(numbers):
    cleaned = validate.clean_column(pa.array(numbers), "id")
    check = validate.id_column(cleaned, TODAY)
    for raw, valid, sex, birth in zip(
        numbers,
        check.valid.to_pylist(),
        check.sex.to_pylist(),
        check.birth.to_pylist(),
        strict=True,
    ):
        if not raw.strip():
            assert valid is None  # blank: unknown, not invalid
            continue
        try:
            parsed = idnumber.parse(raw, today=TODAY)
        except idnumber.IdNumberError:
            assert valid is False, raw
        else:
            assert valid is True, raw
            assert (sex, birth) == (parsed.sex, parsed.birth_date)


@given(st.lists(st.text(max_size=3), max_size=5))
def test_code_labels_map_to_codes_and_anything_else_to_unknown(extra):
    codes = {"是": True, "否": False}
    values = ["是", "否", *extra]
    got = validate.code_column(pa.array(values), codes).to_pylist()
    assert got == [codes.get(v) for v in values]


NAME_CHARS = st.sampled_from(
    list("王李张刘陈楊黃趙劉東華國偉芳娜敏靜麗強磊軍·•・.．（）()[]【】 　ＡａB1１wángxiǎo")
)


@settings(max_examples=300)
@given(st.lists(st.text(NAME_CHARS, min_size=1, max_size=8), max_size=30))
def test_batch_name_keys_equal_core_normalize(values):
    assert namekeys.normalize_many(values) == [names.normalize(v) for v in values]


def _with_birth(text: str) -> str:
    first17 = f"150203{text}001"
    return first17 + idnumber.check_char(first17)


@pytest.mark.parametrize(
    ("birth", "valid"),
    [
        ("20000229", True),
        ("20010229", False),
        ("20000230", False),
        ("20000431", False),
        ("20001301", False),
        ("20000001", False),
        ("20000100", False),
        ("18991231", False),
        ("19000101", True),
    ],
)
def test_id_column_refuses_days_that_do_not_exist(birth, valid):
    check = validate.id_column(pa.array([_with_birth(birth)]), TODAY)
    assert check.valid.to_pylist() == [valid]
    assert idnumber.is_valid(_with_birth(birth)) is valid
