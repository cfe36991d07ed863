"""Guarantee funds under /benefits/ (namespace "benefits"): the standing data here, each
sub-domain's pages from its own urls.py (whose names stay in this namespace)."""

from django.urls import include, path

from huhang.benefits import views
from huhang.core.routing import step_paths

app_name = "benefits"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("standards/new/", views.standard_set, name="standard_set"),
    path("children/<int:pk>/payee/", views.payee, name="payee"),
    path(
        "children/<int:pk>/payee/<int:payee_pk>/confirm/",
        views.payee_confirm,
        name="payee_confirm",
    ),
    path("programmes/<slug:code>/entitlements/", views.entitlement_list, name="entitlement_list"),
    path("entitlements/sync/", views.entitlement_sync, name="entitlement_sync"),
    *step_paths(
        "entitlements/<int:pk>/{step}/",
        views.entitlement_step,
        ["suspend", "resume"],
        name="entitlement_{step}",
    ),
    path("runs/", include("huhang.benefits.payroll.urls")),
    path("dashboard/", include("huhang.benefits.dashboard.urls")),
    # Two lists, two prefixes (scholarship/, autumn-aid/): the sub-package names both.
    path("", include("huhang.benefits.students.urls")),
]
