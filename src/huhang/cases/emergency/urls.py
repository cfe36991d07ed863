"""Emergency protection (临时监护) under /cases/emergency/ (names in the "cases" namespace, see
cases/urls.py)."""

from django.urls import path

from huhang.cases.emergency import views

urlpatterns = [
    path("", views.emergency_list, name="emergency_list"),
    path("new/", views.emergency_open, name="emergency_open"),
    path("<int:pk>/", views.emergency_detail, name="emergency_detail"),
    path("<int:pk>/log/", views.emergency_step, {"step": "log"}, name="emergency_log"),
    path("<int:pk>/resolve/", views.emergency_step, {"step": "resolve"}, name="emergency_resolve"),
]
