"""`core.names.normalize` over a whole column of names, fast.

A district's population register holds hundreds of thousands of distinct names; one call per
name costs seconds. Nearly all of them are plain ideographs, for which `normalize` is exactly the
traditional → simplified conversion: those are converted in one OpenCC call over the joined text
(a newline never belongs to a phrase, so each name converts as it would alone — a test checks
this against `normalize`). The others (middle dots, brackets, Latin letters, full-width forms,
spaces) go through `normalize` itself, once per distinct value.
"""

from __future__ import annotations

import functools

import opencc
import pyarrow as pa
import pyarrow.compute as pc

from huhang.core import names

_PLAIN = "^[\u4e00-\u9fff]+$"


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _simplified(joined: str) -> str:
    # Like core.names: t2s is not idempotent for a few characters, so convert until stable.
    for _ in range(3):
        converted = _converter().convert(joined)
        if converted == joined:
            break
        joined = converted
    return joined


def normalize_many(values: list[str]) -> list[str]:
    """`[names.normalize(v) for v in values]`, computed faster."""
    if not values:
        return []
    array = pa.array(values, pa.string())
    plain = pc.match_substring_regex(array, _PLAIN).to_pylist()
    simple = [v for v, p in zip(values, plain, strict=True) if p]
    converted = iter(_simplified("\n".join(simple)).split("\n")) if simple else iter(())
    return [
        next(converted) if p else names.normalize(v) for v, p in zip(values, plain, strict=True)
    ]


def key_column(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The matching form of every name of a column (null stays null), via its distinct values."""
    distinct = pc.unique(column).drop_null()
    keys = pa.array(normalize_many(distinct.to_pylist()), pa.string())
    return keys.take(pc.index_in(column, value_set=distinct))
