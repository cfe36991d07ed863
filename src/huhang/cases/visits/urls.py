"""Home visits under /cases/visits/ (names in the "cases" namespace, see cases/urls.py)."""

from django.urls import path

from huhang.cases.visits import views
from huhang.core.routing import resource_paths

urlpatterns = [
    *resource_paths("", views, "visit", ["list", "create"]),
    path("sync/", views.visit_sync, name="visit_sync"),
    path("children/", views.visit_children, name="visit_children"),
    path("outbox/", views.visit_outbox, name="visit_outbox"),
    path("pick/", views.visit_pick, name="visit_pick"),
]
