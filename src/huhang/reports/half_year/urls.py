"""The half-year report, under half-year/ (names in the "reports" namespace)."""

from django.urls import path

from huhang.reports.half_year import views

urlpatterns = [
    path("", views.half_year, name="half_year"),
    path("xlsx/", views.half_year_xlsx, name="half_year_xlsx"),
]
