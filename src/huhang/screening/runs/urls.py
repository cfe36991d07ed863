"""/screening/runs/: the screenings, starting one, one run's progress (namespace "screening")."""

from django.urls import path

from huhang.core.routing import resource_paths
from huhang.screening.runs import views

urlpatterns = [
    *resource_paths("", views, "run", ["list", "detail"]),
    path("start/", views.run_start, name="run_start"),
]
