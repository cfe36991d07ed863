"""Activities, their enrolments, attendance and photos (names in the "community" namespace)."""

from django.urls import path

from huhang.community.activities import views

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/enrol/", views.activity_enrol, name="activity_enrol"),
    path(
        "activities/<int:pk>/enrolments/<int:enrolment_pk>/remove/",
        views.enrolment_remove,
        name="enrolment_remove",
    ),
    path("activities/<int:pk>/attendance/", views.activity_attendance, name="activity_attendance"),
    path("activities/<int:pk>/summary/", views.activity_summary, name="activity_summary"),
    path("activities/<int:pk>/photos/new/", views.photo_create, name="photo_create"),
    path("photos/<int:pk>/", views.photo_download, name="photo_download"),
]
