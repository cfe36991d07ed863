"""Trainings and the training records of people (under trainings/, "community" namespace)."""

from django.urls import path

from huhang.community.trainings import views

urlpatterns = [
    path("", views.training_list, name="training_list"),
    path("new/", views.training_create, name="training_create"),
    path("mine/", views.my_trainings, name="my_trainings"),
    path("people/", views.training_people, name="training_people"),
    path("people/<int:pk>/", views.person_trainings, name="person_trainings"),
    path("<int:pk>/", views.training_detail, name="training_detail"),
]
