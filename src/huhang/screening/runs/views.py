"""The screening page (精准排查): the current snapshot of each feed, starting a screening (run by
the background task), its progress while it runs and its counts afterwards. Bureau only
(`screening.run`); a run is looked up through core.scope. Thin views: access → form → service."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from huhang.core.access import require
from huhang.core.forms import submit
from huhang.core.paging import page_of
from huhang.screening.feeds.selectors import current_batches
from huhang.screening.models import LeadKind
from huhang.screening.runs import selectors
from huhang.screening.runs.forms import RunStartForm
from huhang.screening.runs.services import screen_request

# What the officer reads for each stage of a run (runs.services.stages()); the rule steps
# between linkage and storing share one label.
_STAGES = {
    "": gettext_lazy("等待后台任务开始"),
    "load": gettext_lazy("读取各部门数据"),
    "linkage": gettext_lazy("人员比对（学籍数据与人口信息）"),
    "store": gettext_lazy("保存线索"),
}
_RULES = gettext_lazy("执行排查规则")


def stage_label(stage: str) -> str:
    return str(_STAGES.get(stage, _RULES))


@require_GET
def run_list(request):
    require(request.user, "screening.run")
    return _list(request, RunStartForm())


@require_POST
def run_start(request):
    require(request.user, "screening.run")
    form = RunStartForm(request.POST)
    run = submit(request, form, lambda: screen_request(by=request.user, **form.cleaned_data))
    if run is not None:
        # No flash message: "started" would stay on the page after the run finished; the
        # progress card (refreshed every 2 s) says what the run is doing now.
        return redirect("screening:run_detail", pk=run.pk)
    return _list(request, form, status=400)


@require_GET
def run_detail(request, pk: int):
    require(request.user, "screening.run")
    run = selectors.run_for_user(user=request.user, pk=pk)
    context = {"run": run, "stage": stage_label(run.stage), "kinds": _kinds(run)}
    if request.htmx:
        return render(request, "screening/runs/detail.html#progress", context)
    return render(request, "screening/runs/detail.html", context)


def _list(request, form, *, status: int = 200):
    context = {
        "form": form,
        "batches": current_batches(),
        "busy": selectors.run_in_flight(user=request.user),
        "page": page_of(request, selectors.run_list(user=request.user)),
        "query": "",
    }
    return render(request, "screening/runs/list.html", context, status=status)


def _kinds(run) -> list[dict]:
    """The counts of a finished run by lead kind, in the kinds' order."""
    stats = run.stats or {}
    found, new = stats.get("found", {}), stats.get("new", {})
    return [
        {"code": k, "label": label, "found": found.get(k, 0), "new": new.get(k, 0)}
        for k, label in LeadKind.choices
        if found.get(k) or new.get(k)
    ]
