"""Emergency protection (临时监护) under /cases/emergency/ (namespace "cases", see cases/urls.py)."""

from django.urls import path

from huhang.cases import views_emergency as views

urlpatterns = [
    path("emergency/", views.emergency_list_view, name="emergency_list"),
    path("emergency/new/", views.emergency_open, name="emergency_open"),
    path("emergency/<int:pk>/", views.emergency_detail, name="emergency_detail"),
    path("emergency/<int:pk>/log/", views.emergency_log, name="emergency_log"),
    path("emergency/<int:pk>/resolve/", views.emergency_resolve, name="emergency_resolve"),
]
