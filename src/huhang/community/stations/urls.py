"""Workstations: the list is the community section's front page; a station's public poster page
sits under a short path (s/<key>/) for its QR code. Names in the "community" namespace."""

from django.urls import path

from huhang.community.stations import views
from huhang.core.routing import resource_paths

urlpatterns = [
    path("", views.station_list, name="station_list"),
    *resource_paths("stations/", views, "station", ["create", "detail", "edit"]),
    path("s/<uuid:key>/", views.station_public, name="station_public"),
    path("s/<uuid:key>/qr.svg", views.station_qr, name="station_qr"),
]
