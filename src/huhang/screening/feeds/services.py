"""The import service: a department's file → a FeedBatch, its FeedErrors and a Parquet snapshot.

`feed_import(by=..., source=..., path=...)` reads and checks the whole file before it touches the
database (no lock is held while a million rows are parsed), then, in one transaction, stores the
batch, its rejected rows and the snapshot of the accepted rows. The snapshot is written to a
temporary name and renamed as the transaction's last step; if anything fails (including the
commit) both names are removed, so a failed import leaves nothing behind.

Who may import: the bureau any source; a data officer only its organisation's department
(`feed.upload`). `by=None` is the operator at the server's console (`huhang import_feed`), who
already holds the data directory: the audit records it as "system".

The same bytes imported again for the same source store nothing and answer with the batch that
holds them (`duplicate=True`); so does the loser of two concurrent imports of one file.

A batch with no accepted row is kept (its rejected rows are the department's to fix) but has no
snapshot: it never becomes the source's current batch.

A batch keeps the first `HUHANG_FEED_ERRORS_KEPT` rejected cells with their messages, and counts
all of them by column and reason (`error_total`, `error_counts`): a file of a million bad rows
stores no more than one of a thousand, and the result says how many more there were.
"""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huhang.accounts.models import Department
from huhang.core import jobs
from huhang.core.audit import audit_record
from huhang.core.exceptions import DomainError, NotAllowed
from huhang.core.filemodes import make_private, private_dir
from huhang.core.models import AuditAction, Job
from huhang.core.uploads import sha256_of
from huhang.screening.analytics import schema
from huhang.screening.feeds import reader, validate
from huhang.screening.feeds.selectors import allowed_sources
from huhang.screening.models import FeedBatch, FeedError

if TYPE_CHECKING:
    from huhang.accounts.models import User

SYSTEM = "system"  # the audit's name for the console operator (by=None)


@dataclass
class ImportResult:
    batch: FeedBatch
    duplicate: bool
    # (row, column, message) of the first rejected cells (for a duplicate: those stored then).
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    encoding: str = ""

    @property
    def errors_omitted(self) -> int:
        """Rejected cells counted but not listed."""
        return max(self.batch.error_total - len(self.errors), 0)

    def as_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch.pk,
            "source": self.batch.source,
            "rows": self.batch.rows,
            "accepted": self.batch.accepted,
            "rejected": self.batch.rejected,
            "notices": self.batch.notices,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in self.errors],
            "errors_total": self.batch.error_total,
            "errors_omitted": self.errors_omitted,
            "error_counts": [
                {"column": c, "reason": r, "count": n} for c, r, n in self.batch.error_counts
            ],
            "duplicate": self.duplicate,
        }


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return sha256_of(UploadedFile(f, name=path.name, size=path.stat().st_size))


def feed_import(
    *,
    by: User | None,
    source: str,
    path: Path | str,
    as_of: datetime.date | None = None,
    file_name: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import one file; raises FeedFileError (a DomainError) when the file as a whole is refused,
    NotAllowed when `by` may not import this source."""
    path = Path(path)
    note = progress or (lambda text: None)
    if source not in schema.SOURCES:
        raise DomainError(_("未知的数据来源：%(s)s") % {"s": source}, field="source")
    if by is not None and source not in allowed_sources(by):
        raise NotAllowed(_("您不能导入该部门的数据。"))
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise DomainError(_("数据日期不能晚于今天。"), field="as_of")
    sha = _sha256(path)
    existing = FeedBatch.objects.filter(source=source, sha256=sha).first()
    if existing is not None:
        return _duplicate(existing)
    note(_("读取文件"))
    raw = reader.read(path)
    note(_("校验 %(n)s 行") % {"n": raw.table.num_rows + len(raw.bad_rows)})
    checked = validate.check(source, raw, today=today)
    note(_("保存"))
    try:
        batch = _store(by, source, path, as_of, file_name or path.name, sha, checked)
    except IntegrityError:
        # Another import of the same file committed first.
        existing = FeedBatch.objects.filter(source=source, sha256=sha).first()
        if existing is None:
            raise
        return _duplicate(existing)
    return ImportResult(batch, duplicate=False, errors=checked.errors, encoding=raw.encoding)


def _duplicate(batch: FeedBatch) -> ImportResult:
    """The answer for a file already imported: its batch and the rows it rejected then."""
    errors = list(batch.errors.values_list("row", "column", "message"))
    return ImportResult(batch, duplicate=True, errors=errors)


def _store(
    by: User | None,
    source: str,
    path: Path,
    as_of: datetime.date,
    file_name: str,
    sha: str,
    checked: validate.Checked,
) -> FeedBatch:
    final = tmp = None
    try:
        with transaction.atomic():
            batch = FeedBatch.objects.create(
                source=source,
                as_of=as_of,
                file_name=file_name[:255],
                file_size=path.stat().st_size,
                sha256=sha,
                rows=checked.rows,
                accepted=checked.accepted.num_rows,
                rejected=checked.rejected,
                error_total=checked.error_total,
                error_counts=[list(item) for item in checked.error_counts],
                notices=checked.notices,
                imported_by=by,
            )
            FeedError.objects.bulk_create(
                (
                    FeedError(batch=batch, row=row, column=column[:64], message=message[:255])
                    for row, column, message in checked.errors
                ),
                batch_size=2000,
            )
            # A batch with no accepted row has no snapshot, so it never becomes the source's
            # current one (the screening would take every child of the source as gone).
            if checked.accepted.num_rows:
                rel = schema.snapshot_relpath(source, batch.pk)
                final = Path(settings.DATA_DIR) / rel
                tmp = final.with_name(final.name + f".{os.getpid()}.tmp")
                _write_snapshot(source, batch.pk, checked, tmp)
                batch.snapshot = rel
                batch.save(update_fields=["snapshot"])
            audit_record(
                by=by if by is not None else SYSTEM,
                action=AuditAction.CREATE,
                object_type="feed_batch",
                object_id=batch.pk,
                label=f"{batch.get_source_display()} {file_name}"[:200],
                detail={
                    "source": source,
                    "as_of": as_of.isoformat(),
                    "rows": checked.rows,
                    "accepted": checked.accepted.num_rows,
                    "rejected": checked.rejected,
                    "rejected_cells": checked.error_total,
                    "sha256": sha,
                },
            )
            if tmp is not None and final is not None:
                tmp.replace(final)
    except BaseException:
        for leftover in (tmp, final):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
        raise
    return batch


def _write_snapshot(source: str, batch_id: int, checked: validate.Checked, tmp: Path) -> None:
    import pyarrow as pa

    table = checked.accepted
    table = table.add_column(0, "batch", pa.repeat(pa.scalar(batch_id, pa.int64()), table.num_rows))
    table = table.select(schema.SCHEMAS[source].names).cast(schema.SCHEMAS[source])
    tmp.parent.mkdir(parents=True, exist_ok=True)
    schema.parquet_write(table, tmp)


# --- From the page: the import as a background job (core.jobs) ------------------------------

STAGED = "uploads/feeds"  # under the data directory: uploaded files waiting for their job
IMPORT_STAGES = 3  # the notes feed_import reports: read, check, store


def feed_import_request(
    *, by: User, source: str, as_of: datetime.date, upload: UploadedFile
) -> Job:
    """Keep the uploaded file in the data directory (private) and queue its import; the job's
    page follows it and then shows the batch. Refusals known before reading the file (the
    source, the date) are raised at once."""
    if source not in schema.SOURCES:
        raise DomainError(_("未知的数据来源：%(s)s") % {"s": source}, field="source")
    if source not in allowed_sources(by):
        raise NotAllowed(_("您不能导入该部门的数据。"))
    if as_of > timezone.localdate():
        raise DomainError(_("数据日期不能晚于今天。"), field="as_of")
    folder = private_dir(Path(settings.DATA_DIR) / STAGED)
    suffix = Path(upload.name or "").suffix.lower()[:8]
    staged = folder / f"{secrets.token_hex(16)}{suffix}"
    with staged.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    make_private(staged)
    name = upload.name or staged.name
    try:
        return jobs.job_request(
            by=by,
            kind="feed_import",
            title=_("导入%(source)s数据：%(file)s")
            % {"source": Department(source).label, "file": name},
            params={
                "source": source,
                "as_of": as_of.isoformat(),
                "file_name": name[:255],
                "staged": f"{STAGED}/{staged.name}",
            },
            stages=IMPORT_STAGES,
        )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def feed_import_job(job: Job, step: Callable[..., None]) -> tuple[dict[str, Any], str]:
    """The job's work: import the staged file as its requester (the same service as the
    command line); the result is the batch."""
    params = job.params
    count = iter(range(IMPORT_STAGES))
    result = feed_import(
        by=job.requested_by,
        source=params["source"],
        path=Path(settings.DATA_DIR) / params["staged"],
        as_of=datetime.date.fromisoformat(params["as_of"]),
        file_name=params["file_name"],
        progress=lambda text: step(text, next(count, IMPORT_STAGES - 1)),
    )
    batch = result.batch
    if result.duplicate:
        message = _("该文件已经导入过（批次 #%(n)s），本次未重复保存。") % {"n": batch.pk}
    else:
        message = _("已导入 %(rows)s 行：接收 %(a)s 行，拒收 %(r)s 行。") % {
            "rows": batch.rows,
            "a": batch.accepted,
            "r": batch.rejected,
        }
    summary = {
        "message": message,
        "batch": batch.pk,
        "duplicate": result.duplicate,
        "rows": batch.rows,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
    }
    return summary, reverse("screening:feed_detail", args=[batch.pk])


def feed_import_cleanup(job: Job) -> None:
    """The staged file goes once the job is over, imported or not."""
    (Path(settings.DATA_DIR) / job.params["staged"]).unlink(missing_ok=True)
