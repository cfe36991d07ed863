"""Activity pages: thin views — access → form → service → response."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huhang.community.activities import forms, selectors, services
from huhang.community.models import Activity
from huhang.community.views import private_file
from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.core.paging import other_params, page_of
from huhang.core.roles import can

FORM_PAGE = "community/form_page.html"


def activity_list(request):
    require(request.user, "community.view")
    form = forms.ActivityFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ActivityFilter(kind=data.get("kind") or "", year=data.get("year"))
    page = page_of(request, selectors.activity_list(user=request.user, filters=filters))
    context = {"form": form, "page": page, "query": other_params(request)}
    template = "community/activities/list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@require_http_methods(["GET", "POST"])
def activity_create(request):
    require(request.user, "activity.manage")
    initial = {"station": request.GET.get("station")}
    form = forms.ActivityForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        activity = run_service(
            form, lambda: services.activity_create(by=request.user, **form.cleaned_data)
        )
        if activity is not None:
            messages.success(request, _("活动已登记。"))
            return _to_activity(activity)
    return render(request, FORM_PAGE, {"form": form, "title": _("登记活动")})


def _to_activity(activity: Activity):
    return redirect("community:activity_detail", pk=activity.pk)


def _activity_page(request, activity: Activity, enrol_form=None, status: int = 200):
    user = request.user
    context = {
        "activity": activity,
        "detail": selectors.activity_detail(activity=activity),
        "rows": selectors.enrolment_rows(user=user, activity=activity),
        "suggestions": selectors.enrolment_suggestions(user=user, activity=activity),
        "enrol_form": enrol_form or forms.EnrolForm(user=user),
        "summary_form": forms.SummaryForm(initial={"summary": activity.summary}),
        "can_manage": can(user, "activity.manage"),
        "can_enrol": can(user, "registry.edit"),
    }
    return render(request, "community/activities/detail.html", context, status=status)


def activity_detail(request, pk: int):
    require(request.user, "community.view")
    return _activity_page(request, selectors.activity_for_user(user=request.user, pk=pk))


@require_POST
def activity_enrol(request, pk: int):
    require(request.user, "registry.edit")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    form = forms.EnrolForm(request.POST, user=request.user)
    if form.is_valid():
        call = lambda: services.enrolment_add(  # noqa: E731
            by=request.user, activity=activity, **form.cleaned_data
        )
        if run_service(form, call) is not None:
            messages.success(request, _("已报名。"))
            return _to_activity(activity)
    return _activity_page(request, activity, enrol_form=form, status=400)


@require_POST
def enrolment_remove(request, pk: int, enrolment_pk: int):
    require(request.user, "registry.edit")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    enrolment = selectors.enrolment_for_user(user=request.user, activity=activity, pk=enrolment_pk)
    services.enrolment_remove(by=request.user, enrolment=enrolment)
    messages.success(request, _("已取消报名。"))
    return _to_activity(activity)


@require_POST
def activity_attendance(request, pk: int):
    require(request.user, "activity.manage")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    services.attendance_record(by=request.user, activity=activity, present=present)
    messages.success(request, _("出席情况已保存。"))
    return _to_activity(activity)


@require_POST
def activity_summary(request, pk: int):
    require(request.user, "activity.manage")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    form = forms.SummaryForm(request.POST)
    if form.is_valid():
        services.activity_summarise(
            by=request.user, activity=activity, summary=form.cleaned_data["summary"]
        )
        messages.success(request, _("活动总结已保存。"))
    return _to_activity(activity)


@require_http_methods(["GET", "POST"])
def photo_create(request, pk: int):
    require(request.user, "activity.manage")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    form = forms.PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = run_service(
            form,
            lambda: services.photo_upload(
                by=request.user,
                activity=activity,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            ),
        )
        if photo is not None:
            messages.success(request, _("照片已上传。"))
            return _to_activity(activity)
    context = {"form": form, "title": _("上传活动照片"), "multipart": True}
    return render(request, FORM_PAGE, context)


def photo_download(request, pk: int) -> FileResponse:
    require(request.user, "community.view")
    photo = selectors.photo_for_user(user=request.user, pk=pk)
    return private_file(photo.file, photo.content_type)
