"""/screening/leads/: the list, a lead, and one endpoint per step (namespace "screening")."""

from django.urls import path

from huhang.core.routing import step_paths
from huhang.screening.leads import views

urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("<int:pk>/", views.lead_detail, name="lead_detail"),
    path("<int:pk>/verify/", views.lead_verify, name="lead_verify"),
    *step_paths(
        "<int:pk>/{step}/", views.lead_step, ["review", "approve", "reject"], name="lead_{step}"
    ),
]
