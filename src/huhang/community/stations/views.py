"""Workstation pages: thin views — access → form → service → response."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huhang.community.models import Workstation
from huhang.community.stations import forms, selectors, services
from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.core.paging import page_of

FORM_PAGE = "community/form_page.html"


def station_list(request):
    require(request.user, "community.view")
    page = page_of(request, selectors.station_list(user=request.user))
    return render(request, "community/stations/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def station_create(request):
    require(request.user, "station.manage")
    form = forms.StationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        station = run_service(
            form, lambda: services.station_create(by=request.user, **form.cleaned_data)
        )
        if station is not None:
            return _saved(request, station)
    return render(request, FORM_PAGE, {"form": form, "title": _("新建工作站")})


@require_http_methods(["GET", "POST"])
def station_edit(request, pk: int):
    require(request.user, "station.manage")
    station = selectors.station_for_user(user=request.user, pk=pk)
    initial = {f: getattr(station, f) for f in services.STATION_FIELDS}
    initial["staff"] = list(station.staff.all())
    form = forms.StationForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            lambda: services.station_update(by=request.user, station=station, **form.cleaned_data),
        )
        if saved is not None:
            return _saved(request, station)
    return render(request, FORM_PAGE, {"form": form, "title": station.name})


def _saved(request, station: Workstation):
    messages.success(request, _("工作站已保存。"))
    return redirect("community:station_detail", pk=station.pk)


def station_detail(request, pk: int):
    require(request.user, "community.view")
    station = selectors.station_for_user(user=request.user, pk=pk)
    recent, staff = selectors.station_detail(user=request.user, station=station)
    context = {"station": station, "activities": recent, "staff": staff}
    return render(request, "community/stations/detail.html", context)


def _public_url(request, station: Workstation) -> str:
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
    return render(request, "community/stations/public.html", context)


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
