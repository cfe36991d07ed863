"""Screening pages: feed uploads, the link review queue, the leads and the screening runs, each in
its own module."""

from django.urls import include, path

app_name = "screening"

urlpatterns = [
    path("feeds/", include("huhang.screening.urls_feeds")),
    path("links/", include("huhang.screening.urls_links")),
    path("leads/", include("huhang.screening.urls_leads")),
    path("runs/", include("huhang.screening.urls_runs")),
]
