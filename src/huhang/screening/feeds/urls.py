"""/screening/feeds/: the batches, uploading a file, one batch (namespace "screening")."""

from django.urls import path

from huhang.screening.feeds import views

urlpatterns = [
    path("", views.feed_list, name="feed_list"),
    path("upload/", views.feed_upload, name="feed_upload"),
    path("<int:pk>/", views.feed_detail, name="feed_detail"),
    path("<int:pk>/errors.xlsx", views.feed_errors_xlsx, name="feed_errors_xlsx"),
]
