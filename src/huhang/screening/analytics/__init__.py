"""The analytical side of the screening: what runs over the department snapshots in DuckDB or
Spark, outside the OLTP database.

- `schema`: the snapshots' contract (one Parquet file per imported batch);
- `linkage`: linking the student register's rows to people of the population register
  (`linkage_eval` measures its quality on garbled synthetic data);
- `rules`: the screening rules, one SQL definition;
- `engines`: loading the snapshots and running the rules in DuckDB or Spark.

Nothing here writes to the database; `screening.runs.services` stores what a run found.
"""
