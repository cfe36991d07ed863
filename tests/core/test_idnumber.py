import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huhang.core import idnumber
from huhang.core.idnumber import IdNumber, IdNumberError

TODAY = datetime.date(2025, 6, 1)


def reference_check_char(first17: str) -> str:
    """Independent ISO 7064 MOD 11-2: weights are 2**(17 - i) mod 11 and the check value
    c satisfies (sum + c) % 11 == 1, with 10 written as X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(first17: str) -> str:
    return first17 + reference_check_char(first17)


regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(min_value=0, max_value=999)


# --- literal examples checked by hand -------------------------------------------------


def test_standard_sample_is_valid():
    # Weighted sum 167, 167 % 11 == 2 -> "X".
    number = idnumber.parse("11010519491231002X")
    assert number == IdNumber(
        value="11010519491231002X",
        region="110105",
        birth_date=datetime.date(1949, 12, 31),
        sequence="002",
        sex="F",
    )
    assert str(number) == "11010519491231002X"


def test_standard_sample_with_wrong_check_digit():
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse("110105194912310021")
    assert exc.value.code == "checksum"
    assert exc.value.message == "校验码错误，应为X"
    assert str(exc.value) == exc.value.message
    assert idnumber.is_valid("110105194912310021") is False


def test_second_standard_sample_is_checksum_valid_but_before_1900():
    # The other example in GB 11643 (weighted sum 195 -> "4") is born in 1880, which the
    # year >= 1900 rule rejects.
    assert idnumber.check_char("44052418800101001") == "4"
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse("440524188001010014")
    assert exc.value.code == "birth_date"


def test_check_char_against_reference():
    for first17 in ["11010519491231002", "44052418800101001", "00000000000000000"]:
        assert idnumber.check_char(first17) == reference_check_char(first17)


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100a"])
def test_check_char_rejects_anything_but_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        idnumber.check_char(bad)


def test_check_char_rejects_non_ascii_digits():
    with pytest.raises(ValueError):
        idnumber.check_char("1101051949123100²")


# --- normalisation --------------------------------------------------------------------


def test_normalize_full_width_and_spaces():
    assert (
        idnumber.normalize("\u3000１１０１０５１９４９１２３１００２ｘ \t") == "11010519491231002X"
    )


def test_normalize_fixes_nothing_else():
    assert idnumber.normalize("1101 05194912310-02x") == "1101 05194912310-02X"
    assert idnumber.normalize("x1101") == "x1101"


def test_parse_accepts_full_width_input():
    assert idnumber.parse("１１０１０５１９４９１２３１００２ｘ").value == "11010519491231002X"


def test_parse_accepts_lower_case_x():
    assert idnumber.parse(" 11010519491231002x ").value == "11010519491231002X"


# --- each error code ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "length"),
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("110105 9491231002X", "chars"),
        ("1101051949123100X2", "chars"),
        ("11010519491231002Y", "chars"),
        ("11010519491231٠02X", "chars"),  # Arabic-Indic zero
        (with_check("11010519490230002"), "birth_date"),
        (with_check("11010519491301002"), "birth_date"),
        (with_check("11010518991231002"), "birth_date"),
        (with_check("11010520250602002"), "future"),
        ("110105194912310021", "checksum"),
    ],
)
def test_error_codes(raw, code):
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse(raw, today=TODAY)
    assert exc.value.code == code
    assert exc.value.message
    assert idnumber.is_valid(raw) is (code == "future")


def test_error_messages_are_chinese():
    cases = {
        "1": "公民身份号码应为18位",
        with_check("11010519490230002"): "出生日期无效",
        with_check("11010520250602002"): "出生日期晚于今天",
    }
    for raw, message in cases.items():
        with pytest.raises(IdNumberError, match=message):
            idnumber.parse(raw, today=TODAY)


def test_birth_today_is_accepted():
    number = idnumber.parse(idnumber.make("110105", TODAY, 1), today=TODAY)
    assert number.birth_date == TODAY
    assert number.age_on(TODAY) == 0


def test_future_is_only_checked_when_today_is_given():
    raw = idnumber.make("110105", TODAY + datetime.timedelta(days=1), 1)
    assert idnumber.parse(raw).birth_date == TODAY + datetime.timedelta(days=1)


def test_id_number_error_is_a_value_error():
    assert issubclass(IdNumberError, ValueError)


# --- validate ---------------------------------------------------------------------------


def test_validate_agreeing_birth_date_and_sex():
    number = idnumber.validate(
        "11010519491231002X", birth_date=datetime.date(1949, 12, 31), sex="女"
    )
    assert number.sex == "F"
    assert idnumber.validate("11010519491231002X", sex="F").sex == "F"
    assert idnumber.validate(
        "11010519491231002X", birth_date=datetime.datetime(1949, 12, 31, 8, 0)
    ).birth_date == datetime.date(1949, 12, 31)


@pytest.mark.parametrize("sex", ["M", "男", "m"])
def test_validate_sex_mismatch(sex):
    with pytest.raises(IdNumberError) as exc:
        idnumber.validate("11010519491231002X", sex=sex)
    assert exc.value.code == "sex"
    assert exc.value.message == "性别与公民身份号码不符"


def test_validate_birth_mismatch():
    with pytest.raises(IdNumberError) as exc:
        idnumber.validate("11010519491231002X", birth_date=datetime.date(1949, 12, 30))
    assert exc.value.code == "birth_mismatch"
    assert exc.value.message == "出生日期与公民身份号码不符"


def test_validate_unknown_sex_value_is_a_programming_error():
    with pytest.raises(ValueError) as exc:
        idnumber.validate("11010519491231002X", sex="X")
    assert not isinstance(exc.value, IdNumberError)


def test_validate_still_checks_the_number():
    with pytest.raises(IdNumberError) as exc:
        idnumber.validate("110105194912310021", birth_date=datetime.date(1949, 12, 31), sex="F")
    assert exc.value.code == "checksum"


# --- make and age ---------------------------------------------------------------------


def test_make_literal():
    assert idnumber.make("110105", datetime.date(1949, 12, 31), 2) == "11010519491231002X"


@pytest.mark.parametrize(
    ("region", "birth_date", "sequence"),
    [
        ("11010", datetime.date(2000, 1, 1), 1),
        ("11010a", datetime.date(2000, 1, 1), 1),
        ("110105", datetime.date(2000, 1, 1), 1000),
        ("110105", datetime.date(2000, 1, 1), -1),
        ("110105", datetime.date(1899, 12, 31), 1),
    ],
)
def test_make_rejects_bad_parts(region, birth_date, sequence):
    with pytest.raises(ValueError):
        idnumber.make(region, birth_date, sequence)


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (datetime.date(2008, 2, 29), 0),
        # 民法典 Art. 202: a year from 29 February ends on the month's end, the 28th.
        (datetime.date(2009, 2, 27), 0),
        (datetime.date(2009, 2, 28), 1),
        (datetime.date(2009, 3, 1), 1),
        (datetime.date(2012, 2, 28), 3),
        (datetime.date(2012, 2, 29), 4),
    ],
)
def test_age_on_leap_day_birthday(on, age):
    number = idnumber.parse(idnumber.make("110105", datetime.date(2008, 2, 29), 7))
    assert number.age_on(on) == age


def test_age_on_before_birth_is_an_error():
    number = idnumber.parse("11010519491231002X")
    with pytest.raises(ValueError):
        number.age_on(datetime.date(1949, 12, 30))


# --- properties -----------------------------------------------------------------------


@given(regions, birth_dates, sequences)
def test_make_roundtrips_through_parse(region, birth_date, sequence):
    raw = idnumber.make(region, birth_date, sequence)
    assert raw == with_check(f"{region}{birth_date:%Y%m%d}{sequence:03d}")
    number = idnumber.parse(raw, today=TODAY)
    assert number.value == raw
    assert number.region == region
    assert number.birth_date == birth_date
    assert number.sequence == f"{sequence:03d}"
    assert number.sex == ("M" if sequence % 2 else "F")
    assert idnumber.validate(raw, birth_date=birth_date, sex=number.sex, today=TODAY) == number


@given(
    regions,
    birth_dates,
    sequences,
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_substitution_is_detected(region, birth_date, sequence, pos, shift):
    raw = idnumber.make(region, birth_date, sequence)
    changed = raw[:pos] + str((int(raw[pos]) + shift) % 10) + raw[pos + 1 :]
    assert changed != raw
    assert idnumber.is_valid(changed) is False


def test_all_single_digit_substitutions_are_detected_exhaustively():
    raw = "11010519491231002X"
    for pos in range(17):
        for digit in "0123456789":
            if digit != raw[pos]:
                changed = raw[:pos] + digit + raw[pos + 1 :]
                assert idnumber.check_char(changed[:17]) != "X", changed


@given(regions, st.dates(min_value=TODAY + datetime.timedelta(days=1)), sequences)
def test_future_birth_date_is_rejected(region, birth_date, sequence):
    raw = idnumber.make(region, birth_date, sequence)
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse(raw, today=TODAY)
    assert exc.value.code == "future"


@given(regions, birth_dates, sequences)
def test_full_width_input_parses_like_half_width(region, birth_date, sequence):
    raw = idnumber.make(region, birth_date, sequence)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in raw.lower())
    assert idnumber.parse("\u3000" + full_width + " ").value == raw
