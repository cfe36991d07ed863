"""Snapshots are written in row groups, so that a large one is scanned on every core."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from huhang.screening.analytics.schema import ROW_GROUP_ROWS, SCHEMAS, snapshot_write


def test_a_large_snapshot_has_several_row_groups(settings_data_dir):
    n = ROW_GROUP_ROWS * 2 + 5
    schema = SCHEMAS["health"]
    table = pa.table(
        {
            f.name: pa.array(range(n), pa.int64())
            if f.name == "batch"
            else pa.array(range(n), pa.int32())
            if f.name == "row"
            else pa.nulls(n, f.type)
            for f in schema
        }
    )
    path = Path(settings.DATA_DIR) / snapshot_write("health", 1, table)
    meta = pq.ParquetFile(path).metadata
    assert (meta.num_rows, meta.num_row_groups) == (n, 3)
    assert pq.read_table(path).column("row").to_pylist()[-1] == n - 1
