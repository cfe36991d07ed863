from django.urls import path

from huhang.community import views

app_name = "community"

urlpatterns = [
    path("", views.station_list, name="station_list"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("s/<uuid:key>/", views.station_public, name="station_public"),
    path("s/<uuid:key>/qr.svg", views.station_qr, name="station_qr"),
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
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/mine/", views.my_trainings, name="my_trainings"),
    path("trainings/people/", views.training_people, name="training_people"),
    path("trainings/people/<int:pk>/", views.person_trainings, name="person_trainings"),
    path("trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/contacts/", views.contact_create, name="contact_create"),
    path("partners/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/file/", views.agreement_download, name="agreement_download"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/propose/", views.resource_propose, name="resource_propose"),
    path("resources/<int:pk>/confirm/", views.resource_confirm, name="resource_confirm"),
    path("resources/<int:pk>/close/", views.resource_close, name="resource_close"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
]
