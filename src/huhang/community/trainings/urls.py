"""Trainings and the training records of people (under trainings/, "community" namespace)."""

from django.urls import path

from huhang.community.trainings import views
from huhang.core.routing import resource_paths

urlpatterns = [
    *resource_paths("", views, "training", ["list", "create", "detail"]),
    path("mine/", views.my_trainings, name="my_trainings"),
    path("people/", views.training_people, name="training_people"),
    path("people/<int:pk>/", views.person_trainings, name="person_trainings"),
]
