"""Payroll runs under /benefits/runs/ (names in the "benefits" namespace)."""

from django.urls import URLPattern, path

from huhang.benefits.payroll import views


def _run_step(step: str) -> URLPattern:
    return path(f"<int:pk>/{step}/", views.run_step, {"step": step}, name=f"run_{step}")


urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("new/", views.run_create, name="run_create"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    _run_step("compute"),
    _run_step("approve"),
    _run_step("close"),
    path("<int:pk>/export/", views.run_export, name="run_export"),
    path("<int:pk>/bankfile.xlsx", views.run_bankfile, {"fmt": "xlsx"}, name="run_bankfile_xlsx"),
    path("<int:pk>/bankfile.csv", views.run_bankfile, {"fmt": "csv"}, name="run_bankfile_csv"),
    path("<int:pk>/reconcile/", views.run_reconcile, name="run_reconcile"),
]
