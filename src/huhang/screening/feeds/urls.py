"""/screening/feeds/: the batches, uploading a file, one batch (namespace "screening")."""

from django.urls import path

from huhang.core.routing import resource_paths
from huhang.screening.feeds import views

urlpatterns = [
    *resource_paths("", views, "feed", ["list", "detail"]),
    path("upload/", views.feed_upload, name="feed_upload"),
    path("<int:pk>/errors.xlsx", views.feed_errors_xlsx, name="feed_errors_xlsx"),
]
