from django.urls import path
from django.views.generic import RedirectView

from huhang.workbench import views

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("offline/pages.json", views.offline_pages, name="offline_pages"),
    # The inbox lived under /cases/ before the workbench composed it; old bookmarks still work.
    path("cases/inbox/", RedirectView.as_view(pattern_name="workbench:inbox", permanent=True)),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
]
