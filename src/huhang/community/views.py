"""Community pages: thin views — access → form → service → response."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huhang.community import forms, selectors, services
from huhang.community.models import Activity, PartnerProfile, Resource, Training, Workstation
from huhang.core import scope
from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.core.paging import other_params, page_of
from huhang.core.roles import can
from huhang.registry.models import Child

# --- Workstations ------------------------------------------------------------------------------


def station_list(request):
    require(request.user, "community.view")
    rows = selectors.station_list(user=request.user)
    page = page_of(request, rows)
    return render(request, "community/station_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def station_create(request):
    require(request.user, "station.manage")
    form = forms.StationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        station = run_service(
            form, lambda: services.station_create(by=request.user, **form.cleaned_data)
        )
        if station is not None:
            messages.success(request, _("工作站已保存。"))
            return redirect("community:station_detail", pk=station.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("新建工作站")})


@require_http_methods(["GET", "POST"])
def station_edit(request, pk: int):
    require(request.user, "station.manage")
    station = scope.get(request.user, Workstation, pk, "division")
    initial = {f: getattr(station, f) for f in services.STATION_FIELDS}
    initial["staff"] = list(station.staff.all())
    form = forms.StationForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            lambda: services.station_update(by=request.user, station=station, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, _("工作站已保存。"))
            return redirect("community:station_detail", pk=station.pk)
    return render(request, "community/form_page.html", {"form": form, "title": station.name})


def station_detail(request, pk: int):
    require(request.user, "community.view")
    station, recent, staff = selectors.station_detail(user=request.user, pk=pk)
    context = {"station": station, "activities": recent, "staff": staff}
    return render(request, "community/station_detail.html", context)


def _public_url(request, station) -> str:
    return request.build_absolute_uri(
        reverse("community:station_public", kwargs={"key": station.public_key})
    )


@login_not_required
@require_GET
def station_public(request, key):
    """The station's poster page: no login, no child, a QR code that opens this same page."""
    station, activities = selectors.public_station(key=key)
    qr = segno.make(_public_url(request, station), error="m")
    context = {
        "station": station,
        "activities": activities,
        # No width/height, only a viewBox: the stylesheet sizes it for screen and for print.
        "qr_svg": qr.svg_inline(scale=5, title=station.name, omitsize=True),
        "public_url": _public_url(request, station),
    }
    return render(request, "community/station_public.html", context)


@login_not_required
@require_GET
def station_qr(request, key):
    """The QR code alone as an SVG file (to download and print on other material)."""
    station, _activities = selectors.public_station(key=key)
    qr = segno.make(_public_url(request, station), error="m")
    return HttpResponse(
        qr.svg_inline(scale=8, title=station.name).replace(
            "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1
        ),
        content_type="image/svg+xml",
    )


# --- Activities --------------------------------------------------------------------------------


def activity_list(request):
    require(request.user, "community.view")
    form = forms.ActivityFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ActivityFilter(kind=data.get("kind") or "", year=data.get("year"))
    rows = selectors.activity_list(user=request.user, filters=filters)
    page = page_of(request, rows)
    query = other_params(request)
    context = {"form": form, "page": page, "query": query}
    template = "community/activity_list.html"
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
            return redirect("community:activity_detail", pk=activity.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("登记活动")})


def _activity_page(request, activity, enrol_form=None, status=200):
    activity, organisers, partners, photos = selectors.activity_detail(
        user=request.user, pk=activity.pk
    )
    context = {
        "activity": activity,
        "organisers": organisers,
        "partners": partners,
        "photos": photos,
        "rows": selectors.enrolment_rows(user=request.user, activity=activity),
        "suggestions": selectors.enrolment_suggestions(user=request.user, activity=activity),
        "enrol_form": enrol_form or forms.EnrolForm(),
        "summary_form": forms.SummaryForm(initial={"summary": activity.summary}),
        "photo_form": forms.PhotoForm(),
        "can_manage": can(request.user, "activity.manage"),
        "can_enrol": can(request.user, "registry.edit"),
    }
    return render(request, "community/activity_detail.html", context, status=status)


def activity_detail(request, pk: int):
    require(request.user, "community.view")
    return _activity_page(
        request, scope.get(request.user, Activity, pk, "station__division", "project")
    )


@require_POST
def activity_enrol(request, pk: int):
    require(request.user, "registry.edit")
    activity = scope.get(request.user, Activity, pk, "station__division", "project")
    form = forms.EnrolForm(request.POST)
    if form.is_valid():
        try:
            child = scope.get(request.user, Child, form.cleaned_data["child"], "person", "division")
        except Http404:
            form.add_error("child", _("找不到该儿童档案。"))
        else:
            reason = form.cleaned_data["reason"]
            call = lambda: services.enrolment_add(  # noqa: E731
                by=request.user, activity=activity, child=child, reason=reason
            )
            if run_service(form, call) is not None:
                messages.success(request, _("已报名。"))
                return redirect("community:activity_detail", pk=activity.pk)
    return _activity_page(request, activity, enrol_form=form, status=400)


@require_POST
def enrolment_remove(request, pk: int, enrolment_pk: int):
    require(request.user, "registry.edit")
    activity = scope.get(request.user, Activity, pk, "station__division", "project")
    enrolment = activity.enrolments.filter(
        pk=enrolment_pk, child__in=scope.visible(request.user, Child)
    ).first()
    if enrolment is None:
        raise Http404
    services.enrolment_remove(by=request.user, enrolment=enrolment)
    messages.success(request, _("已取消报名。"))
    return redirect("community:activity_detail", pk=activity.pk)


@require_POST
def activity_attendance(request, pk: int):
    require(request.user, "activity.manage")
    activity = scope.get(request.user, Activity, pk, "station__division", "project")
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    services.attendance_record(by=request.user, activity=activity, present=present)
    messages.success(request, _("出席情况已保存。"))
    return redirect("community:activity_detail", pk=activity.pk)


@require_POST
def activity_summary(request, pk: int):
    require(request.user, "activity.manage")
    activity = scope.get(request.user, Activity, pk, "station__division", "project")
    form = forms.SummaryForm(request.POST)
    if form.is_valid():
        services.activity_summarise(
            by=request.user, activity=activity, summary=form.cleaned_data["summary"]
        )
        messages.success(request, _("活动总结已保存。"))
    return redirect("community:activity_detail", pk=activity.pk)


@require_http_methods(["GET", "POST"])
def photo_create(request, pk: int):
    require(request.user, "activity.manage")
    activity = scope.get(request.user, Activity, pk, "station__division", "project")
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
            return redirect("community:activity_detail", pk=activity.pk)
    context = {"form": form, "title": _("上传活动照片"), "multipart": True}
    return render(request, "community/form_page.html", context)


def photo_download(request, pk: int):
    require(request.user, "community.view")
    photo = selectors.photo_or_404(user=request.user, pk=pk)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Trainings ---------------------------------------------------------------------------------


def training_list(request):
    require(request.user, "community.view")
    rows = selectors.training_list(user=request.user)
    page = page_of(request, rows)
    return render(request, "community/training_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def training_create(request):
    require(request.user, "training.manage")
    form = forms.TrainingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        training = run_service(
            form, lambda: services.training_create(by=request.user, **form.cleaned_data)
        )
        if training is not None:
            messages.success(request, _("培训已登记。"))
            return redirect("community:training_detail", pk=training.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("登记培训")})


@require_http_methods(["GET", "POST"])
def training_detail(request, pk: int):
    require(request.user, "community.view")
    training = scope.get(request.user, Training, pk, "division", "station")
    form = None
    if can(request.user, "training.manage"):
        initial = {"attendees": list(training.attendees.all())}
        form = forms.AttendanceForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST":
        require(request.user, "training.manage")
        if form.is_valid():
            done = run_service(
                form,
                lambda: services.training_attendance_set(
                    by=request.user, training=training, **form.cleaned_data
                ),
            )
            if done:
                messages.success(request, _("签到已保存。"))
                return redirect("community:training_detail", pk=training.pk)
    training, attendance = selectors.training_detail(user=request.user, pk=pk)
    context = {"training": training, "attendance": attendance, "form": form}
    return render(request, "community/training_detail.html", context)


def my_trainings(request):
    require(request.user, "community.view")
    record = selectors.training_record(user=request.user, person=request.user)
    return render(request, "community/training_record.html", {"record": record, "mine": True})


def training_people(request):
    require(request.user, "training.manage")
    rows = selectors.training_people_hours(user=request.user)
    page = page_of(request, rows)
    return render(request, "community/training_people.html", {"page": page})


def person_trainings(request, pk: int):
    require(request.user, "training.manage")
    person = selectors.person_or_404(user=request.user, pk=pk)
    record = selectors.training_record(user=request.user, person=person)
    return render(request, "community/training_record.html", {"record": record})


# --- Partners ----------------------------------------------------------------------------------


def partner_list(request):
    require(request.user, "community.view")
    rows = selectors.partner_list(user=request.user)
    page = page_of(request, rows)
    return render(request, "community/partner_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def partner_create(request):
    require(request.user, "partner.manage")
    form = forms.PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        contact = {"name": data.pop("contact_name"), "phone": data.pop("contact_phone")}
        contacts = [contact] if contact["name"] else []
        partner = run_service(
            form, lambda: services.partner_create(by=request.user, contacts=contacts, **data)
        )
        if partner is not None:
            messages.success(request, _("合作伙伴已保存。"))
            return redirect("community:partner_detail", pk=partner.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("新增合作伙伴")})


def partner_detail(request, pk: int):
    require(request.user, "community.view")
    partner, contacts, agreements, resources = selectors.partner_detail(user=request.user, pk=pk)
    context = {
        "partner": partner,
        "contacts": contacts,
        "agreements": agreements,
        "resources": resources,
        "contact_form": forms.ContactForm(),
    }
    return render(request, "community/partner_detail.html", context)


@require_POST
def contact_create(request, pk: int):
    require(request.user, "partner.manage")
    partner = scope.get(request.user, PartnerProfile, pk, "organisation")
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        services.partner_contact_add(by=request.user, partner=partner, **form.cleaned_data)
        messages.success(request, _("联系人已添加。"))
    else:
        messages.error(request, _("请填写联系人姓名。"))
    return redirect("community:partner_detail", pk=partner.pk)


@require_http_methods(["GET", "POST"])
def agreement_create(request, pk: int):
    require(request.user, "partner.manage")
    partner = scope.get(request.user, PartnerProfile, pk, "organisation")
    form = forms.AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        saved = run_service(
            form,
            lambda: services.agreement_add(by=request.user, partner=partner, upload=upload, **data),
        )
        if saved is not None:
            messages.success(request, _("协议已保存。"))
            return redirect("community:partner_detail", pk=partner.pk)
    context = {"form": form, "title": _("新增合作协议"), "multipart": True}
    return render(request, "community/form_page.html", context)


def agreement_download(request, pk: int):
    require(request.user, "community.view")
    agreement = selectors.agreement_or_404(user=request.user, pk=pk)
    if not agreement.file:
        raise Http404
    response = FileResponse(agreement.file.open("rb"), content_type=agreement.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Resources ---------------------------------------------------------------------------------


def resource_list(request):
    require(request.user, "community.view")
    rows = selectors.resource_list(user=request.user)
    page = page_of(request, rows)
    return render(request, "community/resource_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def resource_create(request):
    require(request.user, "resource.manage")
    form = forms.ResourceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        amount = data.pop("amount_yuan")
        data["amount_fen"] = int(amount * 100) if amount is not None else 0
        resource = run_service(form, lambda: services.resource_create(by=request.user, **data))
        if resource is not None:
            messages.success(request, _("资源已登记。"))
            return redirect("community:resource_detail", pk=resource.pk)
    return render(request, "community/form_page.html", {"form": form, "title": _("登记资源")})


def resource_detail(request, pk: int):
    require(request.user, "community.view")
    resource = scope.get(request.user, Resource, pk, "partner")
    context = {
        "resource": resource,
        "divisions": list(resource.divisions.all()),
        "rows": selectors.allocation_rows(user=request.user, resource=resource),
        "confirm_form": forms.ConfirmForm(initial={"received_on": resource.available_on}),
        "can_match": can(request.user, "resource.match"),
        "can_manage": can(request.user, "resource.manage"),
    }
    return render(request, "community/resource_detail.html", context)


@require_POST
def resource_propose(request, pk: int):
    require(request.user, "resource.match")
    resource = scope.get(request.user, Resource, pk, "partner")
    n = run_service_message(
        request, lambda: services.resource_propose(by=request.user, resource=resource)
    )
    if n is not None:
        messages.success(request, _("已生成建议名单：%(n)d 名儿童。") % {"n": n})
    return redirect("community:resource_detail", pk=resource.pk)


@require_POST
def resource_confirm(request, pk: int):
    require(request.user, "resource.match")
    resource = scope.get(request.user, Resource, pk, "partner")
    form = forms.ConfirmForm(request.POST)
    keep = {int(v) for v in request.POST.getlist("keep") if v.isdigit()}
    if form.is_valid():
        n = run_service_message(
            request,
            lambda: services.resource_confirm(
                by=request.user,
                resource=resource,
                keep=keep,
                received_on=form.cleaned_data["received_on"],
            ),
        )
        if n is not None:
            messages.success(request, _("已确认 %(n)d 名儿童受助。") % {"n": n})
    else:
        messages.error(request, _("请填写受助日期。"))
    return redirect("community:resource_detail", pk=resource.pk)


@require_POST
def resource_close(request, pk: int):
    require(request.user, "resource.manage")
    resource = scope.get(request.user, Resource, pk, "partner")
    services.resource_close(by=request.user, resource=resource)
    messages.success(request, _("资源已关闭。"))
    return redirect("community:resource_detail", pk=resource.pk)


def run_service_message(request, call):
    """Like core.forms.run_service for actions without a form: a refusal becomes a message."""
    from huhang.core.exceptions import ConcurrentEdit, DomainError

    try:
        return call()
    except ConcurrentEdit:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return None


# --- Purchased-service projects ----------------------------------------------------------------


def project_list(request):
    require(request.user, "community.view")
    rows = list(selectors.project_progress(user=request.user))
    return render(request, "community/project_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def project_detail(request, pk: int):
    require(request.user, "community.view")
    project = selectors.project_detail(user=request.user, pk=pk)
    target = getattr(project, "community_target", None)
    form = None
    if can(request.user, "partner.manage"):
        initial = {
            "target_activities": target.target_activities if target else 0,
            "target_children": target.target_children if target else 0,
            "notes": target.notes if target else "",
        }
        form = forms.TargetForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, "partner.manage")
        if form.is_valid():
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
    return render(request, "community/project_detail.html", context)
