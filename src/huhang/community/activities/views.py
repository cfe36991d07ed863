"""Activity pages: thin views — access → form → service → response."""

from __future__ import annotations

from functools import partial

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from huhang.community.activities import forms, selectors, services
from huhang.community.models import Activity
from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.core.roles import Role, can
from huhang.core.views import create_view, done, file_view, form_page, list_view, to_page
from huhang.registry.selectors import ChildFilter, child_list

activity_list = list_view(
    "community.view",
    "community/activities/list.html",
    selectors.activity_list,
    filters=forms.ActivityFilterForm,
)


_to_activity = to_page("community:activity_detail")


activity_create = create_view(
    "activity.manage",
    lambda request: forms.ActivityForm(
        request.POST or None, initial={"station": request.GET.get("station")}, user=request.user
    ),
    services.activity_create,
    gettext_lazy("登记活动"),
    gettext_lazy("活动已登记。"),
    _to_activity,
)


# An enrolment search lists at most this many children; a longer name or more pinyin narrows it.
ENROL_SEARCH_LIMIT = 20


def _activity_page(request, activity: Activity, enrol_form=None, status: int = 200):
    user = request.user
    enrol_q = request.GET.get("enrol_q", "").strip()
    found = []
    if enrol_q and can(user, "registry.edit"):
        found = list(child_list(user=user, filters=ChildFilter(q=enrol_q))[:ENROL_SEARCH_LIMIT])
    context = {
        "enrol_q": enrol_q,
        "found": found,
        "activity": activity,
        "detail": selectors.activity_detail(activity=activity),
        "rows": selectors.enrolment_rows(user=user, activity=activity),
        "suggestions": selectors.enrolment_suggestions(user=user, activity=activity),
        "enrol_form": enrol_form or forms.EnrolForm(user=user),
        "summary_form": forms.SummaryForm(initial={"summary": activity.summary}),
        "can_manage": can(user, "activity.manage"),
        # Partner staff mark their own activity's whole list; others the children they see.
        "marks_all": user.role == Role.PARTNER,
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
        enrol = partial(services.enrolment_add, by=request.user, activity=activity)
        if run_service(form, lambda: enrol(**form.cleaned_data)) is not None:
            return done(request, _("已报名。"), _to_activity(activity))
    return _activity_page(request, activity, enrol_form=form, status=400)


@require_POST
def enrolment_remove(request, pk: int, enrolment_pk: int):
    require(request.user, "registry.edit")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    enrolment = selectors.enrolment_for_user(user=request.user, activity=activity, pk=enrolment_pk)
    services.enrolment_remove(by=request.user, enrolment=enrolment)
    return done(request, _("已取消报名。"), _to_activity(activity))


@require_POST
def activity_attendance(request, pk: int):
    require(request.user, "activity.manage")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    services.attendance_record(by=request.user, activity=activity, present=present)
    return done(request, _("出席情况已保存。"), _to_activity(activity))


@require_POST
def activity_summary(request, pk: int):
    require(request.user, "activity.manage")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    form = forms.SummaryForm(request.POST)
    if not form.is_valid():
        return _to_activity(activity)
    services.activity_summarise(by=request.user, activity=activity, **form.cleaned_data)
    return done(request, _("活动总结已保存。"), _to_activity(activity))


@require_http_methods(["GET", "POST"])
def photo_create(request, pk: int):
    require(request.user, "activity.manage")
    activity = selectors.activity_for_user(user=request.user, pk=pk)
    form = forms.PhotoForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form,
        partial(services.photo_upload, by=request.user, activity=activity),
        title=_("上传活动照片"),
        saved=_("照片已上传。"),
        then=lambda photo: _to_activity(activity),
        multipart=True,
    )


photo_download = file_view("community.view", selectors.photo_for_user)
