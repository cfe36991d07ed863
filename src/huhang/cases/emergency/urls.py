"""Emergency protection (临时监护) under /cases/emergency/ (names in the "cases" namespace, see
cases/urls.py)."""

from django.urls import path

from huhang.cases.emergency import views
from huhang.core.routing import step_paths

urlpatterns = [
    path("", views.emergency_list, name="emergency_list"),
    path("new/", views.emergency_open, name="emergency_open"),
    path("<int:pk>/", views.emergency_detail, name="emergency_detail"),
    *step_paths(
        "<int:pk>/{step}/", views.emergency_step, ["log", "resolve"], name="emergency_{step}"
    ),
]
