"""Every read of the feed batches, through core.scope: the bureau sees every department's
batches, a data officer only its own department's."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from huhang.core import exports, scope
from huhang.core.audit import audit_record
from huhang.core.models import AuditAction
from huhang.core.roles import Role, can
from huhang.screening.analytics import schema
from huhang.screening.models import FeedBatch, FeedError

if TYPE_CHECKING:
    from huhang.accounts.models import User


def allowed_sources(user: User) -> list[str]:
    """The sources a user may import: all for the bureau, its department for a data officer."""
    if not can(user, "feed.upload"):
        return []
    if user.role == Role.DATA_OFFICER:
        department = getattr(getattr(user, "organisation", None), "department", "")
        return [department] if department in schema.SOURCES else []
    return list(schema.SOURCES)


def batch_list(*, user: User) -> QuerySet[FeedBatch]:
    """The batches the user may see, newest first, with who imported them."""
    return scope.visible(user, FeedBatch).select_related("imported_by")


def batch_for_user(*, user: User, pk: Any) -> FeedBatch:
    """The batch, or 404 when it is another department's (or no batch at all)."""
    return scope.get(user, FeedBatch, pk, "imported_by")


def current_batches() -> dict[str, FeedBatch]:
    """The current snapshot of each source: its latest batch (highest as-of date, then id)
    that accepted at least one row (a batch that accepted none has no snapshot either)."""
    latest: dict[str, FeedBatch] = {}
    batches = FeedBatch.objects.exclude(snapshot="").filter(accepted__gt=0)
    for batch in batches.order_by("source", "-as_of", "-id"):
        latest.setdefault(batch.source, batch)
    return {s: latest[s] for s in schema.SOURCES if s in latest}


def batch_errors_workbook(*, user: User, batch: FeedBatch) -> bytes:
    """The batch's rejected rows (those kept) and the counts by column and reason, as an XLSX
    for the department's clerk; records one export event."""
    audit_record(
        by=user,
        action=AuditAction.EXPORT,
        object_type="feed_batch",
        object_id=batch.pk,
        label=f"{batch.get_source_display()} {batch.file_name}"[:200],
        detail={"format": "xlsx", "what": "errors"},
    )
    title = _("数据批次 #%(n)s 拒收记录（%(source)s，%(file)s）") % {
        "n": batch.pk,
        "source": batch.get_source_display(),
        "file": batch.file_name,
    }
    period = _("数据日期 %(day)s") % {"day": batch.as_of.isoformat()}
    errors = FeedError.objects.filter(batch=batch).order_by("row", "id")
    counts = batch.error_counts
    sheets = [
        exports.Sheet(
            name=_("拒收记录"),
            columns=[
                exports.Column(_("行号"), exports.COUNT),
                exports.Column(_("列"), exports.TEXT),
                exports.Column(_("原因"), exports.TEXT, width=80),
            ],
            rows=errors.values_list("row", "column", "message").iterator(),
            title=title,
            period=period,
            note=_("共 %(total)s 个拒收单元格，此处列出前 %(kept)s 个。")
            % {"total": batch.error_total, "kept": errors.count()},
        ),
        exports.Sheet(
            name=_("原因统计"),
            columns=[
                exports.Column(_("列"), exports.TEXT),
                exports.Column(_("原因"), exports.TEXT, width=60),
                exports.Column(_("单元格数"), exports.COUNT),
            ],
            rows=[list(item) for item in counts],
            title=title,
            period=period,
            totals=[_("合计"), "", batch.error_total],
        ),
    ]
    out = io.BytesIO()
    exports.write_xlsx(out, sheets)
    return out.getvalue()
