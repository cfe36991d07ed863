"""Guarantee-fund pages: thin views — access → form → service → response.

A role without the capability gets 403 before any form; a child or entitlement outside the scope
is 404; a service's refusal becomes a message on the form. Every step of a payroll run is
irreversible, so each opens on a page that explains it and is taken only by its button (POST).
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huhang.benefits import bankfile, forms, selectors, services
from huhang.benefits.models import Programme, RunStatus
from huhang.core import money, scope
from huhang.core.access import require
from huhang.core.dates import add_months
from huhang.core.forms import run_service
from huhang.core.paging import other_params, page_of
from huhang.core.roles import can
from huhang.regions.models import Division, Level
from huhang.registry.models import Child

# --- Programmes and standards ---------------------------------------------------------------------


@require_GET
def programme_list(request):
    require(request.user, "benefits.view")
    context = {"programmes": selectors.programme_list()}
    return render(request, "benefits/programme_list.html", context)


@require_http_methods(["GET", "POST"])
def standard_set(request):
    require(request.user, "benefits.manage")
    form = forms.StandardForm(request.POST or None, initial=request.GET.dict())
    impact = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        impact = selectors.standard_impact(
            programme=data["programme"], month=data["effective_from"], amount_fen=data["amount"]
        )
        if not impact.back_dated or data["confirmed"] == impact.token:
            saved = run_service(
                form,
                lambda: services.standard_set(
                    by=request.user,
                    programme=data["programme"],
                    effective_from=data["effective_from"],
                    amount_fen=data["amount"],
                    note=data["note"],
                ),
            )
            if saved is not None:
                messages.success(request, _saved_standard_message(impact))
                return redirect("benefits:programme_list")
        else:
            form = forms.StandardForm({**request.POST.dict(), "confirmed": impact.token})
            form.is_valid()
    return render(request, "benefits/standard_form.html", {"form": form, "impact": impact})


def _saved_standard_message(impact) -> str:
    text = _("已设定 %(p)s 自 %(m)s 起的标准：%(a)s 元。") % {
        "p": impact.programme.name,
        "m": f"{impact.month:%Y-%m}",
        "a": impact.amount_yuan,
    }
    if impact.back_dated:
        text += _("这是追溯调整，下一次发放将补发差额。")
    return text


# --- Payees ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def payee(request, pk: int):
    require(request.user, "benefits.view" if request.method == "GET" else "benefits.manage")
    child = scope.get(request.user, Child, pk, "person", "division")
    form = forms.PayeeForm(request.POST or None) if _can_manage(request) else None
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form, lambda: services.payee_set(by=request.user, child=child, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(
                request, _("收款人已登记，账号尾号 %(n)s。") % {"n": saved.account_last4}
            )
            return redirect("benefits:payee", pk=child.pk)
    payees = selectors.payee_list(user=request.user, child=child)
    return render(request, "benefits/payee.html", {"child": child, "form": form, "payees": payees})


def _can_manage(request) -> bool:
    return can(request.user, "benefits.manage")


# --- Entitlements ---------------------------------------------------------------------------------


@require_GET
def entitlement_list(request, code: str):
    require(request.user, "benefits.view")
    programme = selectors.programme_or_404(code)
    form = forms.EntitlementFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    rows = selectors.entitlement_list(user=request.user, programme=programme, state=state)
    page = page_of(request, rows)
    query = other_params(request)
    selectors.decorate_entitlements(page.object_list)
    context = {
        "programme": programme,
        "programmes": Programme.objects.all(),
        "form": form,
        "page": page,
        "query": query,
    }
    template = "benefits/entitlement_list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@require_POST
def entitlement_sync(request):
    require(request.user, "benefits.manage")
    result = services.entitlements_sync(by=request.user)
    messages.success(
        request,
        _("资格已同步：新增 %(created)s 条，更新截止月份 %(ended)s 条。") % result,
    )
    code = request.POST.get("programme", "")
    if Programme.objects.filter(code=code).exists():
        return redirect("benefits:entitlement_list", code=code)
    return redirect("benefits:programme_list")


ENTITLEMENT_STEPS = {
    "suspend": (forms.SuspendForm, services.suspend, gettext_lazy("停发")),
    "resume": (forms.ResumeForm, services.resume, gettext_lazy("恢复发放")),
}


@require_http_methods(["GET", "POST"])
def entitlement_step(request, pk: int, step: str):
    form_class, service, title = ENTITLEMENT_STEPS[step]
    require(request.user, "benefits.manage")
    entitlement = selectors.entitlement_or_404(user=request.user, pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form, lambda: service(by=request.user, entitlement=entitlement, **form.cleaned_data)
        )
        if done is not None:
            messages.success(request, _("已保存：%(step)s。") % {"step": title})
            return redirect("benefits:entitlement_list", code=entitlement.programme_id)
    context = {
        "form": form,
        "title": f"{title} · {entitlement.child.person.name}",
        "entitlement": entitlement,
        "back_url": reverse("benefits:entitlement_list", args=[entitlement.programme_id]),
    }
    return render(request, "benefits/entitlement_form.html", context)


# --- Payroll runs ---------------------------------------------------------------------------------


@require_GET
def run_list(request):
    require(request.user, "benefits.view")
    form = forms.RunFilterForm(request.GET or None)
    programme = form.cleaned_data["programme"] if form.is_valid() else ""
    page = page_of(request, selectors.run_list(user=request.user, programme=programme))
    query = other_params(request)
    selectors.decorate_runs(user=request.user, runs=page.object_list)
    context = {"form": form, "page": page, "query": query}
    template = "benefits/run_list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@require_http_methods(["GET", "POST"])
def run_create(request):
    require(request.user, "benefits.manage")
    form = forms.RunCreateForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        run = run_service(form, lambda: services.run_create(by=request.user, **form.cleaned_data))
        if run is not None:
            messages.success(request, _("发放批次已创建，请核对后计算。"))
            return redirect("benefits:run_detail", pk=run.pk)
    return render(request, "benefits/run_form.html", {"form": form})


@require_GET
def run_detail(request, pk: int):
    require(request.user, "benefits.view")
    run = selectors.run_or_404(pk)
    form = forms.LineFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = page_of(request, selectors.run_lines(user=request.user, run=run, status=status))
    query = other_params(request)
    selectors.decorate_lines(page.object_list)
    step, blocked = selectors.run_step(user=request.user, run=run)
    context = {
        "run": run,
        "total_yuan": money.yuan(run.total_fen),
        "form": form,
        "page": page,
        "query": query,
        "step": step,
        "blocked": blocked,
        "summary": selectors.run_summary(user=request.user, run=run),
    }
    template = "benefits/run_detail.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


# step → (capability, service, title, message on success)
RUN_STEPS = {
    "compute": (
        "benefits.manage",
        services.run_compute,
        gettext_lazy("计算"),
        gettext_lazy("批次已计算，请另一名工作人员审批。"),
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
    run = selectors.run_or_404(pk)
    # Bound on POST even when empty: the button carries no field, only the CSRF token.
    form = forms.ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: service(by=request.user, run=run))
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
    return render(request, "benefits/run_confirm.html", context)


@require_GET
def run_export(request, pk: int):
    """The export confirmation: what the first export does, and the three files to choose."""
    require(request.user, "benefits.manage")
    run = selectors.run_or_404(pk)
    exportable = run.status in (RunStatus.APPROVED, RunStatus.EXPORTED)
    context = {"run": run, "total_yuan": money.yuan(run.total_fen), "exportable": exportable}
    return render(request, "benefits/run_export.html", context)


SPOOL_BYTES = 8 * 1024 * 1024
BANKFILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


@require_http_methods(["GET", "POST"])
def run_bankfile(request, pk: int, fmt: str):
    """The bank file. The first export freezes the run (approved → exported), so it is taken
    only by the confirmation page's button (POST); once exported, the links download again."""
    require(request.user, "benefits.manage")
    run = selectors.run_or_404(pk)
    if request.method == "GET" and run.status != RunStatus.EXPORTED:
        return redirect("benefits:run_export", pk=run.pk)
    encoding = request.POST.get("encoding") or request.GET.get("encoding") or "gb18030"
    # Written to a spooled file, not built in memory: a district's run is a large file.
    # FileResponse closes the file once sent; a refusal closes it here.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        bankfile.export_run(by=request.user, run=run, fmt=fmt, out=out, encoding=encoding)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = FileResponse(
        out,
        as_attachment=True,
        filename=bankfile.filename(run, fmt),
        content_type=BANKFILE_TYPES[fmt] + (f"; charset={encoding}" if fmt == "csv" else ""),
    )
    # The file holds full account numbers: no cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def run_reconcile(request, pk: int):
    require(request.user, "benefits.manage")
    run = selectors.run_or_404(pk)
    form = forms.ReconcileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        done = run_service(
            form, lambda: bankfile.reconcile_run(by=request.user, run=run, data=data)
        )
        if done is not None:
            failed = done.lines.filter(status="failed").count()
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
    return render(request, "benefits/run_reconcile.html", context)


# --- On time and in full --------------------------------------------------------------------------


@require_GET
def dashboard(request):
    require(request.user, "benefits.view")
    streets = scope.visible(request.user, Division).filter(level=Level.STREET).order_by("code")
    form = forms.DashboardForm(request.GET or None, streets=streets)
    valid = form.is_valid()
    month = (form.cleaned_data.get("month") if valid else None) or selectors.this_month()
    street = form.cleaned_data.get("street", "") if valid else ""
    board = selectors.dashboard(user=request.user, month=month, street=street)
    page = page_of(request, board.arrears)
    query = other_params(request)
    context = {
        "form": form,
        "board": board,
        "page": page,
        "query": query,
        "previous": _shift(month, -1),
        "next": _shift(month, 1),
        "street": street,
    }
    template = "benefits/dashboard.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


def _shift(month, months: int) -> str:
    return f"{add_months(month, months):%Y-%m}"


# --- Scholarship and 金秋助学 -----------------------------------------------------------------------


LISTS = {
    services.SCHOLARSHIP: ("benefits/scholarship_list.html", "benefits:scholarship_list"),
    services.AUTUMN_AID: ("benefits/autumn_aid_list.html", "benefits:autumn_aid_list"),
}


@require_GET
def student_list(request, code: str):
    require(request.user, "benefits.view")
    programme = selectors.programme_or_404(code)
    page = page_of(request, selectors.student_list(user=request.user, code=code))
    query = other_params(request)
    selectors.decorate_students(page.object_list)
    context = {"programme": programme, "page": page, "query": query}
    return render(request, LISTS[code][0], context)


STUDENT_FORMS = {
    services.SCHOLARSHIP: (
        forms.ScholarshipForm,
        services.scholarship_enrol,
        gettext_lazy("加入助学名单"),
    ),
    services.AUTUMN_AID: (
        forms.AutumnAidForm,
        services.autumn_aid_enrol,
        gettext_lazy("加入金秋助学名单"),
    ),
}
EXTRA_FIELDS = ("full_time", "graduating")


@require_http_methods(["GET", "POST"])
def student_create(request, code: str):
    form_class, service, title = STUDENT_FORMS[code]
    require(request.user, "benefits.manage")
    form = form_class(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in EXTRA_FIELDS}
        child = data.pop("id_number")
        done = run_service(form, lambda: service(by=request.user, child=child, **data))
        if done is not None:
            messages.success(request, _("已将 %(name)s 加入名单。") % {"name": child.person.name})
            return redirect(LISTS[code][1])
    context = {"form": form, "title": title, "code": code}
    return render(request, "benefits/student_form.html", context)


@require_http_methods(["GET", "POST"])
def scholarship_leave(request, pk: int):
    require(request.user, "benefits.manage")
    entitlement = selectors.entitlement_or_404(user=request.user, pk=pk)
    if entitlement.programme_id != services.SCHOLARSHIP:
        raise Http404
    form = forms.LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.scholarship_leave(
                by=request.user, entitlement=entitlement, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("已登记离开全日制学习：资助截止于 %(y)s 学年。") % {"y": done.ends_on.year},
            )
            return redirect("benefits:scholarship_list")
    context = {
        "form": form,
        "title": _("离开全日制学习 · %(name)s") % {"name": entitlement.child.person.name},
        "entitlement": entitlement,
        "back_url": reverse("benefits:scholarship_list"),
    }
    return render(request, "benefits/entitlement_form.html", context)
