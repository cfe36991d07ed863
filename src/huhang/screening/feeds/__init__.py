"""Importing department feeds (FEEDS.md): reading, checking, storing.

- `reader`: bytes → an Arrow table of strings (CSV in UTF-8/UTF-8-BOM/GB18030, XLSX);
- `spec`: each source's columns, kinds and row rules, as data;
- `validate`: one DuckDB query per file normalises and checks every row;
- `importer`: the `feed_import` service (batch, rejected rows, Parquet snapshot, audit).
"""

from huhang.screening.feeds.importer import ImportResult, allowed_sources, feed_import
from huhang.screening.feeds.reader import FeedFileError

__all__ = ["FeedFileError", "ImportResult", "allowed_sources", "feed_import"]
