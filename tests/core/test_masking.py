import pytest
from hypothesis import given
from hypothesis import strategies as st

from huhang.core.masking import mask_account, mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("150203201501011234", "150203********1234"),
        ("11010519491231002X", "110105********002X"),
        ("150203150101123", "150203*****1123"),  # 15-digit legacy number
        ("15020320150101", "150203****0101"),
        ("1502032015010", "*************"),  # too short to show 10 of its characters
        ("123", "***"),
        (" 150203201501011234 ", "150203********1234"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("622202123456781234", "** **** **** **** 1234"),
        ("6222 0212 3456 7891", "**** **** **** 7891"),
        ("123456781234", "**** **** 1234"),
        ("6222-0212-1234", "**** **** 1234"),
        ("51234", "* 1234"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_account(value, expected):
    assert mask_account(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+8613812345678", "+86*******5678"),
        ("0471-1234567", "047****4567"),
        ("1234567", "***4567"),
        ("123456", "******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_masked_id_hides_middle_and_keeps_length(value):
    masked = mask_id_number(value)
    assert len(masked) == 18
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert masked[6:14] == "********"
    assert value[6:14] not in masked


@given(st.text(alphabet="0123456789", min_size=5, max_size=30))
def test_masked_account_shows_only_last_four_digits(value):
    masked = mask_account(value)
    assert masked.endswith(" " + value[-4:])
    assert sum(ch.isdigit() for ch in masked) == 4
    assert masked.replace(" ", "").count("*") == len(value) - 4
    assert all(len(group) <= 4 for group in masked.split(" "))
