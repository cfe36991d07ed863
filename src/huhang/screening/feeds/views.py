"""Feed upload pages: the batches a user imported (its department's, or all for the bureau),
the upload form and a batch's result with its rejected rows.

Roles without `feed.upload` get 403; a batch of another department is 404 (core.scope). The
import runs synchronously in the request: a district's population register takes seconds, not
minutes (see the README's benchmark figures), so no background task is needed yet.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huhang.core.access import require
from huhang.core.exports import XLSX_CONTENT_TYPE
from huhang.core.forms import run_service
from huhang.core.paging import render_list
from huhang.core.views import download, list_view
from huhang.screening.feeds import selectors
from huhang.screening.feeds.forms import FeedUploadForm
from huhang.screening.feeds.services import feed_import

feed_list = require_GET(list_view("feed.upload", "screening/feeds/list.html", selectors.batch_list))


@require_http_methods(["GET", "POST"])
def feed_upload(request):
    require(request.user, "feed.upload")
    form = FeedUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        result = run_service(form, lambda: _import(request.user, form.cleaned_data))
        if result is not None:
            if result.duplicate:
                messages.info(
                    request,
                    _("该文件已经导入过（批次 #%(n)s），本次未重复保存。") % {"n": result.batch.pk},
                )
            else:
                messages.success(
                    request,
                    _("已导入 %(rows)s 行：接收 %(a)s 行，拒收 %(r)s 行。")
                    % {
                        "rows": result.batch.rows,
                        "a": result.batch.accepted,
                        "r": result.batch.rejected,
                    },
                )
            return redirect("screening:feed_detail", pk=result.batch.pk)
    return render(request, "screening/feeds/upload.html", {"form": form})


def _import(user, data):
    upload = data["file"]
    kwargs = {
        "by": user,
        "source": data["source"],
        "as_of": data["as_of"],
        "file_name": upload.name,
    }
    if hasattr(upload, "temporary_file_path"):
        return feed_import(path=Path(upload.temporary_file_path()), **kwargs)
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        return feed_import(path=Path(tmp.name), **kwargs)


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
