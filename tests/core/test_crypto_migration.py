"""The data migration: ID numbers stored in clear before it are encrypted in place by it (and
decrypted again when it is reversed)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huhang.core import crypto, idnumber

BEFORE = [("registry", "0002_child_search_fields"), ("screening", "0003_feed_error_counts")]
AFTER = [("registry", "0003_encrypt_id_numbers"), ("screening", "0004_encrypt_id_numbers")]
NUMBER = idnumber.make("150203", date(2016, 3, 7), 97)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")
        return [r[0] for r in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_reverses():
    crypto.reset()
    old = _migrate(BEFORE)
    try:
        Division = old.get_model("regions", "Division")
        Person = old.get_model("registry", "Person")
        Child = old.get_model("registry", "Child")
        community = Division.objects.create(code="150203005001", name="友谊一社区", level=5)
        person = Person.objects.create(
            name="王小海", name_key="wangxiaohai", id_number=NUMBER, sex="M",
            birth_date=date(2016, 3, 7),
        )  # fmt: skip
        Child.objects.create(person=person, division=community, search_id=NUMBER)
        Person.objects.create(name="无号", name_key="wuhao", sex="F", birth_date=date(2015, 1, 1))
        assert _raw("registry_person", "id_number") == [NUMBER, None]

        _migrate(AFTER)
        stored = _raw("registry_person", "id_number")
        assert crypto.is_ciphertext(stored[0]) and stored[1] is None
        assert crypto.decrypt_id(stored[0]) == NUMBER
        assert _raw("registry_person", "id_index")[0] == crypto.blind_index(NUMBER)
        assert _raw("registry_child", "search_id") == [crypto.blind_index(NUMBER)]
        assert _raw("registry_child", "search_last") == [NUMBER[-6:]]
        assert _raw("core_keycanary", "key_id") == [crypto.keyring().current.kid]

        _migrate(BEFORE)
        assert _raw("registry_person", "id_number") == [NUMBER, None]
        assert _raw("registry_child", "search_id") == [NUMBER]
    finally:
        # Back to the latest schema (every app's leaf), for the transactional tests after this.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        crypto.reset()
