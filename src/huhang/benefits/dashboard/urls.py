"""按时足额 under /benefits/dashboard/ (names in the "benefits" namespace)."""

from django.urls import path

from huhang.benefits.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
