"""Department feeds (FEEDS.md): importing a file, the batches and their rejected rows.

The rooms: `services` (`feed_import`: batch, rejected rows, Parquet snapshot, audit),
`selectors`, `forms`, `views`, `urls`. The import's machinery: `reader` (bytes → an Arrow table
of strings: CSV in UTF-8/UTF-8-BOM/GB18030, XLSX), `spec` (each source's columns, kinds and row
rules, as data), `validate` (every row normalised and checked, column at a time), `namekeys`
(the matching form of a whole column of names).
"""
