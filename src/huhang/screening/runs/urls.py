"""/screening/runs/: the screenings, starting one, one run's progress (namespace "screening")."""

from django.urls import path

from huhang.screening.runs import views

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("start/", views.run_start, name="run_start"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
]
