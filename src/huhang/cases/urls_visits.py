"""Home visits and the inbox, under /cases/ (namespace "cases")."""

from django.urls import path

from huhang.cases import views_visits

urlpatterns = [
    path("visits/", views_visits.visit_list, name="visit_list"),
    path("visits/new/", views_visits.visit_create, name="visit_create"),
    path(
        "inbox/alerts/<int:pk>/acknowledge/",
        views_visits.alert_acknowledge,
        name="alert_acknowledge",
    ),
]
