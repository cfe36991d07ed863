"""Encryption at rest of ID numbers (core.crypto, core.fields): AES and SM round trips, the blind
index for lookups and uniqueness, no clear number in the tables, the key checks and the
resumable rotation."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from huhang.core import crypto, idnumber
from huhang.core.models import KeyCanary
from huhang.registry.models import Child, Person
from huhang.registry.selectors import ChildFilter, child_list
from huhang.screening.models import Lead
from tests.factories import ChildFactory, PersonFactory
from tests.factories.screening import LeadFactory

NUMBER = idnumber.make("150203", date(2016, 3, 7), 97)


@pytest.fixture(autouse=True)
def _fresh_keys():
    crypto.reset()
    yield
    crypto.reset()


def _current_key(settings) -> str:
    crypto.keyring()  # makes the development key on first use
    return (settings.DATA_DIR / crypto.KEY_FILE_NAME).read_text().strip()


def _raw_cells(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return [str(cell) for row in cursor.fetchall() for cell in row]


@pytest.mark.parametrize("suite", ["aes", "sm"])
@given(number=st.text(alphabet="0123456789X", min_size=1, max_size=18))
def test_round_trip(db, settings, suite, number):
    settings.HUHANG_CRYPTO = suite
    crypto.reset()
    token = crypto._seal(crypto.keyring().current, number.encode())
    assert token.startswith(f"{suite[0]}1.{crypto.keyring().current.kid}.")
    if len(number) == 18:
        assert number not in token[12:]
    assert crypto.decrypt_id(token) == number
    # Random nonces: the same number never gives the same ciphertext twice.
    assert crypto._seal(crypto.keyring().current, number.encode()) != token


def test_suites_use_different_keys_and_indexes(db, settings):
    settings.HUHANG_CRYPTO = "aes"
    crypto.reset()
    aes_kid, aes_index = crypto.keyring().current.kid, crypto.blind_index(NUMBER)
    settings.HUHANG_CRYPTO = "sm"
    crypto.reset()
    sm = crypto.keyring().current
    assert sm.suite == "sm" and len(sm.enc) == 16  # SM4 is a 128-bit cipher
    assert sm.kid != aes_kid and crypto.blind_index(NUMBER) != aes_index
    # A value written under the other suite of the same key still reads.
    assert aes_kid in crypto.keyring().by_kid


def test_a_tampered_ciphertext_does_not_decrypt(db):
    token = crypto._seal(crypto.keyring().current, NUMBER.encode())
    at = 12 + 20  # a character inside the ciphertext (the last ones may be padding bits)
    flipped = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]
    with pytest.raises(crypto.KeyMismatch):
        crypto.decrypt_id(flipped)


def test_no_clear_id_number_in_the_tables(db, tree):
    child = ChildFactory(division=tree["c1"])
    number = child.person.id_number
    lead = LeadFactory(child=child, kind="left_behind")
    cells = [
        *_raw_cells(Person._meta.db_table),
        *_raw_cells(Child._meta.db_table),
        *_raw_cells(Lead._meta.db_table),
    ]
    assert number and lead.id_number == number
    assert not [c for c in cells if number in c]
    # The last digits are kept apart, for the "last digits" search.
    assert Person.objects.get(pk=child.person.pk).id_last == number[-6:]
    assert KeyCanary.objects.get().key_id == crypto.keyring().current.kid


def test_the_attribute_reads_the_clear_number(db):
    person = PersonFactory(id_number=NUMBER)
    assert Person.objects.get(pk=person.pk).id_number == NUMBER
    assert Person.objects.filter(pk=person.pk).values_list("id_number", flat=True)[0] == NUMBER


def test_exact_and_in_lookups_go_through_the_blind_index(db):
    person = PersonFactory(id_number=NUMBER)
    other = PersonFactory()
    assert list(Person.objects.filter(id_number=NUMBER)) == [person]
    assert set(Person.objects.filter(id_number__in=[NUMBER, other.id_number])) == {person, other}
    assert not Person.objects.filter(id_number=idnumber.make("150203", date(2016, 3, 7), 99))
    assert list(Person.objects.filter(id_number__isnull=True)) == []
    with pytest.raises(Exception, match="cannot be searched"):
        Person.objects.filter(id_number__startswith="150203")


def test_the_blind_index_keeps_numbers_unique(db):
    PersonFactory(id_number=NUMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number=NUMBER)


def test_children_list_finds_by_whole_number_and_last_digits(db, tree, users):
    child = ChildFactory(division=tree["c1"])
    ChildFactory(division=tree["c1"])
    number = child.person.id_number
    bureau = users["bureau"]
    assert list(child_list(user=bureau, filters=ChildFilter(q=number))) == [child]
    assert child in child_list(user=bureau, filters=ChildFilter(q=number[-4:]))
    assert list(child_list(user=bureau, filters=ChildFilter(q="000000000"))) == []


def test_wrong_key_is_reported_and_refused(db, settings, monkeypatch):
    PersonFactory(id_number=NUMBER)  # writes the canary under the development key
    assert crypto.key_problems() == []
    monkeypatch.setenv("HUHANG_FIELD_KEY", Fernet.generate_key().decode())
    crypto.reset()
    problems = crypto.key_problems()
    assert problems and "wrong or missing field key" in problems[0]
    with pytest.raises(crypto.KeyMismatch):
        crypto.encrypt_id(NUMBER)
    with pytest.raises(crypto.KeyMismatch), transaction.atomic():
        PersonFactory(id_number=idnumber.make("150203", date(2016, 3, 7), 99))
    with pytest.raises(CommandError):
        call_command("keys", "check")


def test_missing_key_is_reported_and_never_generated(db, settings, tmp_path):
    PersonFactory(id_number=NUMBER)
    settings.DATA_DIR = tmp_path  # the key file is gone (a restore without it)
    crypto.reset()
    problems = crypto.key_problems()
    assert problems and "no field key" in problems[0]
    with pytest.raises(crypto.KeyMismatch, match="no field key"):
        crypto.keyring()
    assert not (tmp_path / crypto.KEY_FILE_NAME).exists()


def test_production_wants_a_key_outside_the_data_directory(db, settings, monkeypatch):
    settings.PRODUCTION = True
    assert any("no field key" in p for p in crypto.key_problems())
    inside = settings.DATA_DIR / "prod_key"
    inside.write_text(Fernet.generate_key().decode())
    monkeypatch.setenv("HUHANG_FIELD_KEY_FILE", str(inside))
    assert any("inside the data directory" in p for p in crypto.key_problems())


def test_rotation_is_resumable(db, tree, settings, monkeypatch, users):
    children = [ChildFactory(division=tree["c1"]) for _ in range(5)]
    lead = LeadFactory(child=children[0], kind="left_behind")
    numbers = [c.person.id_number for c in children]
    old_key, old_kid = _current_key(settings), crypto.keyring().current.kid
    monkeypatch.setenv("HUHANG_FIELD_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("HUHANG_FIELD_KEYS_OLD", old_key)
    crypto.reset()
    new_kid = crypto.keyring().current.kid
    assert any("huhang keys rotate" in p for p in crypto.key_problems())
    # Interrupted after the first batch of two...
    crypto.rotate(batch_size=2, max_batches=1)
    assert crypto.rotation_pending()["registry.Person.id_number"] == 3
    assert crypto.key_problems() == []  # the canary moved: new data goes under the new key
    assert KeyCanary.objects.get().key_id == new_kid
    # ...every number still reads and is still found, whichever key it is under...
    for number in numbers:
        assert Person.objects.get(id_number=number).id_number == number
    # ...and a second run finishes the work.
    call_command("keys", "rotate", "--batch-size", "2")
    assert set(crypto.rotation_pending().values()) == {0}
    kids = {
        crypto.key_id_of(c) for c in _raw_cells(Person._meta.db_table) if crypto.is_ciphertext(c)
    }
    assert kids == {new_kid} != {old_kid}
    # The old key can go now.
    monkeypatch.delenv("HUHANG_FIELD_KEYS_OLD")
    crypto.reset()
    assert [Person.objects.get(id_number=n).id_number for n in numbers] == numbers
    found = child_list(user=users["bureau"], filters=ChildFilter(q=numbers[3]))
    assert list(found) == [children[3]]
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.id_number == numbers[0]
    assert lead.person_key == f"id:{crypto.blind_index(numbers[0])}"


def test_rotate_refuses_an_unknown_data_key(db, monkeypatch):
    PersonFactory(id_number=NUMBER)
    monkeypatch.setenv("HUHANG_FIELD_KEY", Fernet.generate_key().decode())
    crypto.reset()
    with pytest.raises(CommandError, match="wrong or missing field key"):
        call_command("keys", "rotate")
