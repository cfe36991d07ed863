"""Payroll runs under /benefits/runs/ (names in the "benefits" namespace)."""

from django.urls import path

from huhang.benefits.payroll import views
from huhang.core.routing import resource_paths, step_paths

urlpatterns = [
    *resource_paths("", views, "run", ["list", "create", "detail", "export", "reconcile"]),
    *step_paths(
        "<int:pk>/{step}/", views.run_step, ["compute", "approve", "close"], name="run_{step}"
    ),
    path("<int:pk>/lines.xlsx", views.run_lines_xlsx, name="run_lines_xlsx"),
    path("<int:pk>/bankfile.xlsx", views.run_bankfile, {"fmt": "xlsx"}, name="run_bankfile_xlsx"),
    path("<int:pk>/bankfile.csv", views.run_bankfile, {"fmt": "csv"}, name="run_bankfile_csv"),
    path("<int:pk>/bankfiles.zip", views.run_bankfile, {"fmt": "zip"}, name="run_bankfile_zip"),
]
