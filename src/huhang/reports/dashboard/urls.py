"""The dashboard, the front page of /reports/ (names in the "reports" namespace)."""

from django.urls import path

from huhang.reports.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("xlsx/", views.dashboard_xlsx, name="dashboard_xlsx"),
]
