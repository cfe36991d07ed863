"""Screening pages: feed uploads, the link review queue, the leads and the screening runs, each
sub-package's urls in the app's namespace ("screening")."""

from django.urls import include, path

app_name = "screening"

urlpatterns = [
    path("feeds/", include("huhang.screening.feeds.urls")),
    path("links/", include("huhang.screening.links.urls")),
    path("leads/", include("huhang.screening.leads.urls")),
    path("runs/", include("huhang.screening.runs.urls")),
]
