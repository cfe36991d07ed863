"""Payroll run pages: thin views — access → form → service → response.

Every step of a payroll run is irreversible, so each opens on a page that explains it and is
taken only by its button (POST). A run is 404 for a user who does not read the funds.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from huhang.benefits.models import LineStatus, PayrollRun, RunStatus
from huhang.benefits.payroll import bankfile, forms, selectors, services
from huhang.benefits.payroll.banktemplates import TEMPLATES
from huhang.core import exports, money
from huhang.core.access import require
from huhang.core.forms import submit
from huhang.core.models import Job
from huhang.core.paging import render_list
from huhang.core.views import download, follow_job, form_page


@require_GET
def run_list(request):
    require(request.user, "benefits.view")
    form = forms.RunFilterForm(request.GET or None)
    rows = selectors.run_list(user=request.user, **form.filters())
    return render_list(
        request,
        "benefits/payroll/run_list.html",
        rows,
        {"form": form},
        decorate=selectors.decorate_runs,
    )


@require_http_methods(["GET", "POST"])
def run_create(request):
    require(request.user, "benefits.manage")
    form = forms.RunCreateForm(request.POST or None, initial=request.GET.dict())
    return form_page(
        request,
        form,
        partial(services.run_create, by=request.user),
        saved=_("发放批次已创建，请核对后计算。"),
        then="benefits:run_detail",
        template="benefits/payroll/run_form.html",
    )


@require_GET
def run_detail(request, pk: int):
    require(request.user, "benefits.view")
    run = selectors.run_for_user(user=request.user, pk=pk)
    step, blocked = selectors.run_step(user=request.user, run=run)
    form = forms.LineFilterForm(request.GET or None)
    rows = selectors.run_lines(user=request.user, run=run, **form.filters())
    context = {
        "run": run,
        "total_yuan": money.yuan(run.total_fen),
        "form": form,
        "step": step,
        "blocked": blocked,
        "summary": selectors.run_summary(user=request.user, run=run),
    }
    return render_list(
        request,
        "benefits/payroll/run_detail.html",
        rows,
        context,
        decorate=selectors.decorate_lines,
    )


# step → (capability, service, title, message on success)
RUN_STEPS: dict[str, tuple[str, Callable[..., PayrollRun | Job], Any, Any]] = {
    # Computed by the background worker (core.jobs): the button queues it and the job's page
    # follows it, then returns to the run.
    "compute": (
        "benefits.manage",
        services.run_compute_request,
        gettext_lazy("计算"),
        gettext_lazy("正在后台计算，完成后本页转到批次。"),
    ),
    "approve": (
        "benefits.approve",
        services.run_approve,
        gettext_lazy("审批"),
        gettext_lazy("批次已审批，可以导出银行文件。"),
    ),
    "close": (
        "benefits.manage",
        services.run_close,
        gettext_lazy("关闭"),
        gettext_lazy("批次已关闭。"),
    ),
}


@require_http_methods(["GET", "POST"])
def run_step(request, pk: int, step: str):
    capability, service, title, done_message = RUN_STEPS[step]
    require(request.user, capability)
    run = selectors.run_for_user(user=request.user, pk=pk)
    # Bound on POST even when empty: the button carries no field, only the CSRF token.
    form = forms.ConfirmForm(request.POST if request.method == "POST" else None)
    done = submit(request, form, lambda: service(by=request.user, run=run))
    if isinstance(done, Job):
        return follow_job(request, done, done_message)
    if done is not None:
        messages.success(request, str(done_message))
        return redirect("benefits:run_detail", pk=run.pk)
    allowed, blocked = selectors.run_step(user=request.user, run=run)
    if allowed != step and not blocked:
        blocked = _("批次当前状态为“%(s)s”，不能进行此操作。") % {"s": run.get_status_display()}
    context = {
        "run": run,
        "total_yuan": money.yuan(run.total_fen),
        "form": form,
        "step": step,
        "title": title,
        "blocked": blocked if request.method == "GET" or not form.errors else "",
    }
    return render(request, "benefits/payroll/run_confirm.html", context)


@require_GET
def run_export(request, pk: int):
    """The export confirmation: what the first export does, and the three files to choose."""
    require(request.user, "benefits.manage")
    run = selectors.run_for_user(user=request.user, pk=pk)
    exportable = run.status in (RunStatus.APPROVED, RunStatus.EXPORTED)
    groups = bankfile.split_groups(run) if exportable else {}
    context = {
        "run": run,
        "total_yuan": money.yuan(run.total_fen),
        "exportable": exportable,
        "templates": [t for t in TEMPLATES.values() if t.code != "default"],
        "groups": [(TEMPLATES[code], n, money.yuan(fen)) for code, (n, fen) in groups.items()],
    }
    return render(request, "benefits/payroll/run_export.html", context)


SPOOL_BYTES = 8 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def run_bankfile(request, pk: int, fmt: str):
    """The bank file. The first export freezes the run (approved → exported), so it is taken
    only by the confirmation page's button (POST); once exported, the links download again."""
    require(request.user, "benefits.manage")
    run = selectors.run_for_user(user=request.user, pk=pk)
    if request.method == "GET" and run.status != RunStatus.EXPORTED:
        return redirect("benefits:run_export", pk=run.pk)
    params = request.POST if request.method == "POST" else request.GET
    encoding = params.get("encoding") or "gb18030"
    template = params.get("template") or "default"
    # Written to a spooled file, not built in memory: a district's run is a large file.
    # FileResponse closes the file once sent; a refusal closes it here.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        if fmt == "zip":
            bankfile.export_split(by=request.user, run=run, out=out)
        else:
            bankfile.export_run(
                by=request.user, run=run, fmt=fmt, out=out, encoding=encoding, template=template
            )
    except BaseException:
        out.close()
        raise
    out.seek(0)
    if fmt == "csv":
        content_type = exports.csv_content_type(bankfile.ENCODINGS.get(encoding, "gb18030"))
    else:
        content_type = {"xlsx": exports.XLSX_CONTENT_TYPE, "zip": "application/zip"}[fmt]
    response = FileResponse(
        out,
        as_attachment=True,
        filename=bankfile.filename(run, fmt, template if fmt != "zip" else "default"),
        content_type=content_type,
    )
    # The file holds full account numbers: no cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def run_lines_xlsx(request, pk: int):
    """The lines the user sees, as a workbook for the clerk (and for paper)."""
    require(request.user, "benefits.view")
    run = selectors.run_for_user(user=request.user, pk=pk)
    out = io.BytesIO()
    exports.write_xlsx(out, selectors.run_lines_workbook(user=request.user, run=run))
    return download(out.getvalue(), exports.XLSX_CONTENT_TYPE, f"发放明细_{run.pk:06d}.xlsx")


@require_http_methods(["GET", "POST"])
def run_reconcile(request, pk: int):
    require(request.user, "benefits.manage")
    run = selectors.run_for_user(user=request.user, pk=pk)
    form = forms.ReconcileForm(request.POST or None, request.FILES or None)
    done = submit(
        request,
        form,
        lambda: bankfile.reconcile_run(
            by=request.user, run=run, data=form.cleaned_data["file"].read()
        ),
    )
    if done is not None:
        failed = done.lines.filter(status=LineStatus.FAILED).count()
        messages.success(
            request,
            _("对账完成：%(n)s 笔中失败 %(f)s 笔，失败的明细将在下次发放时重发。")
            % {"n": done.line_count, "f": failed},
        )
        return redirect("benefits:run_detail", pk=run.pk)
    blocked = "" if run.status == RunStatus.EXPORTED else _("只有已导出的批次可以对账。")
    context = {
        "run": run,
        "total_yuan": money.yuan(run.total_fen),
        "form": form,
        "blocked": blocked,
    }
    return render(request, "benefits/payroll/run_reconcile.html", context)
