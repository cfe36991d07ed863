"""Emergency protection (临时监护) under /cases/emergency/ (names in the "cases" namespace, see
cases/urls.py)."""

from django.urls import path

from huhang.cases.emergency import views
from huhang.core.routing import resource_paths, step_paths

urlpatterns = [
    *resource_paths("", views, "emergency", ["list", "detail"]),
    path("new/", views.emergency_open, name="emergency_open"),
    *step_paths(
        "<int:pk>/{step}/", views.emergency_step, ["log", "resolve"], name="emergency_{step}"
    ),
]
