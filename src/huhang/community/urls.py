"""Community pages under /community/ (namespace "community"), one module per sub-domain.

Trainings and projects each live under their own prefix; stations, activities and partners own
a few roots each (a station's public page is s/<key>/, a photo photos/<pk>/, an agreement's file
agreements/<pk>/file/), so their modules are included at the section's root."""

from django.urls import include, path

app_name = "community"

urlpatterns = [
    path("", include("huhang.community.stations.urls")),
    path("", include("huhang.community.activities.urls")),
    path("trainings/", include("huhang.community.trainings.urls")),
    path("", include("huhang.community.partners.urls")),
    path("projects/", include("huhang.community.projects.urls")),
]
