"""Workstations: the list is the community section's front page; a station's public poster page
sits under a short path (s/<key>/) for its QR code. Names in the "community" namespace."""

from django.urls import path

from huhang.community.stations import views

urlpatterns = [
    path("", views.station_list, name="station_list"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("s/<uuid:key>/", views.station_public, name="station_public"),
    path("s/<uuid:key>/qr.svg", views.station_qr, name="station_qr"),
]
