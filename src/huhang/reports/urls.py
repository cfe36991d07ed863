"""Dashboards and the half-year report under /reports/ (namespace "reports"), one module each."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("huhang.reports.dashboard.urls")),
    path("half-year/", include("huhang.reports.half_year.urls")),
]
