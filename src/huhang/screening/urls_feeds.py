from django.urls import path

from huhang.screening import views_feeds

urlpatterns = [
    path("", views_feeds.feed_list, name="feed_list"),
    path("upload/", views_feeds.feed_upload, name="feed_upload"),
    path("<int:pk>/", views_feeds.feed_detail, name="feed_detail"),
]
