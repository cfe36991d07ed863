"""/screening/links/: the link review queue, one review, its decision (namespace "screening")."""

from django.urls import path

from huhang.screening.links import views

urlpatterns = [
    path("", views.link_list, name="link_list"),
    path("<int:pk>/", views.link_detail, name="link_detail"),
    path("<int:pk>/resolve/", views.link_resolve, name="link_resolve"),
]
