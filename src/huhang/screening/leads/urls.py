"""/screening/leads/: the list, a lead, and one endpoint per step (namespace "screening")."""

from django.urls import path

from huhang.screening.leads import views

urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("<int:pk>/", views.lead_detail, name="lead_detail"),
    path("<int:pk>/verify/", views.lead_verify, name="lead_verify"),
    path("<int:pk>/review/", views.lead_review, name="lead_review"),
    path("<int:pk>/approve/", views.lead_approve, name="lead_approve"),
    path("<int:pk>/reject/", views.lead_reject, name="lead_reject"),
]
