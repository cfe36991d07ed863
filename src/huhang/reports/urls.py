"""Dashboards and the half-year report under /reports/ (namespace "reports")."""

from django.urls import path

from huhang.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("half-year/", views.half_year, name="half_year"),
    path("half-year/xlsx/", views.half_year_xlsx, name="half_year_xlsx"),
]
