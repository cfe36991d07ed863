"""Writes the generator's plain rows with executemany: one INSERT statement per table, prepared
once, fed hundreds of thousands of tuples. Going through model instances (save() or even
bulk_create) costs several times more for a district of 800,000 people.

Columns come from the models, so a renamed column or table still works; a field added to a model
later is filled with its default (or left to its database default), and a new required field
without a default stops the load with a clear message instead of a half-written district.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.db.models.fields import NOT_PROVIDED

from huhang.core import crypto
from huhang.core.fields import BlindIndexField, EncryptedIdField, LastDigitsField
from huhang.registry.models import (
    CategoryAssignment,
    Child,
    ChildAssignment,
    Household,
    Person,
    Relation,
    Situation,
)

from .tables import COLUMNS, TABLES

MODELS: dict[str, type[models.Model]] = {
    "household": Household,
    "person": Person,
    "child": Child,
    "relation": Relation,
    "situation": Situation,
    "category": CategoryAssignment,
    "assignment": ChildAssignment,
}


def first_ids() -> dict[str, int]:
    """The first free primary key of every table (rows of other origin stay untouched)."""
    return {t: (MODELS[t].objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for t in TABLES}


@functools.lru_cache(maxsize=4096)
def _adapt_datetime(value):
    # Aware datetimes become what the ORM would store (naive UTC text on SQLite).
    return connection.ops.adapt_datetimefield_value(value)


class TableWriter:
    def __init__(self, table: str) -> None:
        model = MODELS[table]
        names = COLUMNS[table]
        fields = [model._meta.get_field(name) for name in names]
        self._extra = self._missing_fields(model, set(names))
        columns = [f.column for f in fields] + [f.column for f in self._extra]
        qn = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table),
            ", ".join(qn(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        self._datetimes = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
        # Encrypted ID numbers (core.crypto): the row carries the clear number; the column gets
        # ciphertext, and the blind index and last digits are computed from the clear value.
        self._encrypted = [i for i, f in enumerate(fields) if isinstance(f, EncryptedIdField)]
        self._derived = {
            j: names.index(f.source)
            for j, f in enumerate(self._extra)
            if isinstance(f, BlindIndexField | LastDigitsField)
        }

    @staticmethod
    def _missing_fields(model: type[models.Model], known: set[str]) -> list[models.Field]:
        extra = []
        for field in model._meta.local_concrete_fields:
            if field.name in known or field.db_default is not NOT_PROVIDED:
                continue
            if not (field.has_default() or field.null):
                raise ImproperlyConfigured(
                    f"demo_data does not know how to fill {model.__name__}.{field.name}; "
                    "add it to huhang/demo/tables.py"
                )
            extra.append(field)
        return extra

    def _prepare(self) -> Callable[[tuple], tuple] | None:
        if not self._datetimes and not self._extra and not self._encrypted:
            return None
        datetimes, extra, encrypted, derived = (
            self._datetimes,
            self._extra,
            self._encrypted,
            self._derived,
        )

        def prepare(row: tuple) -> tuple:
            values = list(row)
            for i in datetimes:
                if values[i] is not None:
                    values[i] = _adapt_datetime(values[i])
            for j, f in enumerate(extra):
                if j in derived:
                    values.append(_derive(f, row[derived[j]]))
                else:
                    values.append(f.get_db_prep_save(f.get_default(), connection))
            for i in encrypted:
                if values[i]:
                    values[i] = crypto.encrypt_id(values[i])
            return tuple(values)

        return prepare

    def write(self, cursor, rows: Iterable[tuple]) -> None:
        prepare = self._prepare()
        if prepare is not None and (self._encrypted or self._derived):
            # The key (and its canary) must be settled before the rows stream: they are
            # prepared while psycopg's pipeline holds the connection, where a query of the
            # crypto's own (the first key, the canary) would wait for ever.
            crypto.verify_current_key()
        cursor.executemany(self.sql, rows if prepare is None else map(prepare, rows))


def _derive(field: models.Field, clear: str | None):
    if isinstance(field, BlindIndexField):
        return crypto.blind_index(clear)
    return (clear or "")[-field.digits :]  # type: ignore[attr-defined]


def writers() -> dict[str, TableWriter]:
    return {table: TableWriter(table) for table in TABLES}


def write_batch(cursor, tables: dict[str, TableWriter], rows: dict[str, list[tuple]]) -> None:
    # Both households.head and persons.household are deferred foreign keys (Django creates
    # them DEFERRABLE INITIALLY DEFERRED), checked when the surrounding transaction commits.
    for table in TABLES:
        if rows[table]:
            tables[table].write(cursor, rows[table])


def reset_sequences(cursor) -> None:
    """Explicit primary keys leave PostgreSQL's sequences behind; SQLite needs nothing."""
    for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS.values())):
        cursor.execute(sql)
