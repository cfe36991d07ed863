"""Purchased-service projects (under projects/, "community" namespace)."""

from django.urls import path

from huhang.community.projects import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
]
