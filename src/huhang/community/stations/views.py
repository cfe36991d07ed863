"""Workstation pages: thin views — access → form → service → response."""

from __future__ import annotations

from functools import partial

import segno
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from huhang.community.models import Workstation
from huhang.community.stations import forms, selectors, services
from huhang.core.access import require
from huhang.core.views import form_page, list_view

DETAIL = "community:station_detail"


station_list = list_view("community.view", "community/stations/list.html", selectors.station_list)


@require_http_methods(["GET", "POST"])
def station_create(request):
    require(request.user, "station.manage")
    form = forms.StationForm(request.POST or None, user=request.user)
    save = partial(services.station_create, by=request.user)
    return form_page(
        request, form, save, title=_("新建工作站"), saved=_("工作站已保存。"), then=DETAIL
    )


@require_http_methods(["GET", "POST"])
def station_edit(request, pk: int):
    require(request.user, "station.manage")
    station = selectors.station_for_user(user=request.user, pk=pk)
    initial = {f: getattr(station, f) for f in services.STATION_FIELDS}
    initial["staff"] = list(station.staff.all())
    form = forms.StationForm(request.POST or None, initial=initial, user=request.user)
    save = partial(services.station_update, by=request.user, station=station)
    return form_page(
        request, form, save, title=station.name, saved=_("工作站已保存。"), then=DETAIL
    )


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
