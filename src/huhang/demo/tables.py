"""The rows the demo generator produces, as plain tuples in a fixed column order per table.

Rows carry explicit primary keys (allocated from per-table counters) so that families can refer
to each other before anything is written, and the loader can insert them with executemany.
Foreign keys are listed by field name ("household"); the loader maps them to columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

# Table key -> field names in row order. The keys are also the keys of Batch and of Ids.
COLUMNS: dict[str, tuple[str, ...]] = {
    "household": ("id", "division", "address", "head", "assistance", "assistance_since"),
    "person": (
        "id",
        "name",
        "name_key",
        "id_number",
        "sex",
        "birth_date",
        "ethnicity",
        "phone",
        "hukou_code",
        "household",
        "version",
        "created_at",
    ),
    "child": (
        "id",
        "person",
        "division",
        "address",
        "living",
        "school",
        "school_stage",
        "health",
        "notes",
        "status",
        "registered_at",
        "registered_by",
        "version",
    ),
    "relation": ("id", "child", "relative", "kind", "is_guardian", "since"),
    "situation": (
        "id",
        "person",
        "kind",
        "started_on",
        "ended_on",
        "detail",
        "evidence",
        "recorded_by",
        "recorded_at",
    ),
    "category": (
        "id",
        "child",
        "category",
        "status",
        "basis",
        "effective_from",
        "effective_to",
        "ended_reason",
        "proposed_by",
        "proposed_at",
        "verified_by",
        "verified_at",
        "approved_by",
        "approved_at",
        "ended_by",
        "backdate_floor",
        "end_proposed_by",
        "end_proposed_at",
        "end_proposed_to",
        "end_proposed_reason",
        "backdate_reason",
        "before_four_eyes",
    ),
    "assignment": ("id", "child", "organisation", "since", "until", "reason"),
}

# Insertion order: households point at their head person and persons at their household; both
# foreign keys are deferred to the end of the transaction, so either order works.
TABLES = tuple(COLUMNS)


@dataclass
class Batch:
    """The rows of one community."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def __len__(self) -> int:
        return sum(len(r) for r in self.rows.values())


class Ids:
    """Per-table primary-key counters, starting after what the database already holds."""

    def __init__(self, first: dict[str, int]) -> None:
        self._counters = {table: count(first.get(table, 1)) for table in TABLES}

    def next(self, table: str) -> int:
        return next(self._counters[table])
