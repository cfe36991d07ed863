"""Activities, their enrolments, attendance and photos (names in the "community" namespace)."""

from django.urls import path

from huhang.community.activities import views
from huhang.core.routing import resource_paths

urlpatterns = [
    *resource_paths(
        "activities/",
        views,
        "activity",
        ["list", "create", "detail", "enrol", "attendance", "summary"],
    ),
    path(
        "activities/<int:pk>/enrolments/<int:enrolment_pk>/remove/",
        views.enrolment_remove,
        name="enrolment_remove",
    ),
    path("activities/<int:pk>/photos/new/", views.photo_create, name="photo_create"),
    path("photos/<int:pk>/", views.photo_download, name="photo_download"),
]
