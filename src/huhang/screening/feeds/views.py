"""Feed upload pages: the batches a user imported (its department's, or all for the bureau),
the upload form and a batch's result with its rejected rows.

Roles without `feed.upload` get 403; a batch of another department is 404 (core.scope). The
upload is kept in the data directory and imported by the background worker (core.jobs): the
officer follows its progress on the job's page, which then shows the batch. `huhang
import_feed` imports in the foreground.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huhang.core.access import require
from huhang.core.exports import XLSX_CONTENT_TYPE
from huhang.core.forms import submit
from huhang.core.paging import render_list
from huhang.core.views import download, follow_job, list_view
from huhang.screening.feeds import selectors
from huhang.screening.feeds.forms import FeedUploadForm
from huhang.screening.feeds.services import feed_import_request

feed_list = require_GET(list_view("feed.upload", "screening/feeds/list.html", selectors.batch_list))


@require_http_methods(["GET", "POST"])
def feed_upload(request):
    require(request.user, "feed.upload")
    form = FeedUploadForm(request.POST or None, request.FILES or None, user=request.user)
    job = submit(
        request, form, lambda: feed_import_request(by=request.user, **form.service_kwargs())
    )
    if job is None:
        return render(request, "screening/feeds/upload.html", {"form": form})
    return follow_job(request, job, _("文件已上传，正在后台导入；完成后本页转到导入结果。"))


@require_GET
def feed_detail(request, pk: int):
    require(request.user, "feed.upload")
    batch = selectors.batch_for_user(user=request.user, pk=pk)
    errors = batch.errors.all()
    omitted = max(batch.error_total - errors.count(), 0)
    return render_list(request, "screening/feeds/detail.html", errors, batch=batch, omitted=omitted)


@require_GET
def feed_errors_xlsx(request, pk: int):
    require(request.user, "feed.upload")
    batch = selectors.batch_for_user(user=request.user, pk=pk)
    content = selectors.batch_errors_workbook(user=request.user, batch=batch)
    return download(content, XLSX_CONTENT_TYPE, f"拒收记录_{batch.source}_{batch.pk}.xlsx")
