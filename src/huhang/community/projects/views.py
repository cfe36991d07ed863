"""Purchased-service project pages: progress against targets; the bureau sets the community's."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huhang.community.projects import forms, selectors, services
from huhang.core.access import may_change, require


def project_list(request):
    require(request.user, "community.view")
    rows = list(selectors.project_progress(user=request.user))
    return render(request, "community/projects/list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def project_detail(request, pk: int):
    require(request.user, "community.view")
    project = selectors.project_for_user(user=request.user, pk=pk)
    target = getattr(project, "community_target", None)
    form = None
    if may_change(request, "partner.manage"):
        initial = {
            "target_activities": target.target_activities if target else 0,
            "target_children": target.target_children if target else 0,
            "notes": target.notes if target else "",
        }
        form = forms.TargetForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            services.project_target_set(by=request.user, project=project, **form.cleaned_data)
            messages.success(request, _("项目目标已保存。"))
            return redirect("community:project_detail", pk=project.pk)
    context = {
        "project": project,
        "target": target,
        "form": form,
        "activities": selectors.project_activities(user=request.user, project=project),
        "hours": project.service_minutes / 60,
    }
    return render(request, "community/projects/detail.html", context)
