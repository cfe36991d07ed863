"""/screening/leads/: the list, a lead, and one endpoint per step (namespace "screening")."""

from huhang.core.routing import resource_paths, step_paths
from huhang.screening.leads import views

urlpatterns = [
    *resource_paths("", views, "lead", ["list", "detail", "verify"]),
    *step_paths(
        "<int:pk>/{step}/", views.lead_step, ["review", "approve", "reject"], name="lead_{step}"
    ),
]
