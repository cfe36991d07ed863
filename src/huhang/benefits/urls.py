"""Guarantee funds under /benefits/ (namespace "benefits")."""

from django.urls import path

from huhang.benefits import views

app_name = "benefits"


def _run_step(step: str):
    return path(f"runs/<int:pk>/{step}/", views.run_step, {"step": step}, name=f"run_{step}")


def _entitlement_step(step: str):
    return path(
        f"entitlements/<int:pk>/{step}/",
        views.entitlement_step,
        {"step": step},
        name=f"entitlement_{step}",
    )


urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("standards/new/", views.standard_set, name="standard_set"),
    path("children/<int:pk>/payee/", views.payee, name="payee"),
    path("programmes/<slug:code>/entitlements/", views.entitlement_list, name="entitlement_list"),
    path("entitlements/sync/", views.entitlement_sync, name="entitlement_sync"),
    _entitlement_step("suspend"),
    _entitlement_step("resume"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    _run_step("compute"),
    _run_step("approve"),
    _run_step("close"),
    path("runs/<int:pk>/export/", views.run_export, name="run_export"),
    path(
        "runs/<int:pk>/bankfile.xlsx", views.run_bankfile, {"fmt": "xlsx"}, name="run_bankfile_xlsx"
    ),
    path("runs/<int:pk>/bankfile.csv", views.run_bankfile, {"fmt": "csv"}, name="run_bankfile_csv"),
    path("runs/<int:pk>/reconcile/", views.run_reconcile, name="run_reconcile"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "scholarship/",
        views.student_list,
        {"code": "scholarship"},
        name="scholarship_list",
    ),
    path(
        "scholarship/new/",
        views.student_create,
        {"code": "scholarship"},
        name="scholarship_create",
    ),
    path("scholarship/<int:pk>/leave/", views.scholarship_leave, name="scholarship_leave"),
    path("autumn-aid/", views.student_list, {"code": "autumn-aid"}, name="autumn_aid_list"),
    path("autumn-aid/new/", views.student_create, {"code": "autumn-aid"}, name="autumn_aid_create"),
]
