"""Payroll runs under /benefits/runs/ (names in the "benefits" namespace)."""

from django.urls import path

from huhang.benefits.payroll import views
from huhang.core.routing import step_paths

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("new/", views.run_create, name="run_create"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    *step_paths(
        "<int:pk>/{step}/", views.run_step, ["compute", "approve", "close"], name="run_{step}"
    ),
    path("<int:pk>/export/", views.run_export, name="run_export"),
    path("<int:pk>/lines.xlsx", views.run_lines_xlsx, name="run_lines_xlsx"),
    path("<int:pk>/bankfile.xlsx", views.run_bankfile, {"fmt": "xlsx"}, name="run_bankfile_xlsx"),
    path("<int:pk>/bankfile.csv", views.run_bankfile, {"fmt": "csv"}, name="run_bankfile_csv"),
    path("<int:pk>/bankfiles.zip", views.run_bankfile, {"fmt": "zip"}, name="run_bankfile_zip"),
    path("<int:pk>/reconcile/", views.run_reconcile, name="run_reconcile"),
]
