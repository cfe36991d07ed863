"""Partners (with their contacts and agreements) and the charity resources they offer (names in
the "community" namespace)."""

from django.urls import path

from huhang.community.partners import views
from huhang.core.routing import resource_paths

urlpatterns = [
    *resource_paths("partners/", views, "partner", ["list", "create", "detail"]),
    path("partners/<int:pk>/contacts/", views.contact_create, name="contact_create"),
    path("partners/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/file/", views.agreement_download, name="agreement_download"),
    *resource_paths(
        "resources/",
        views,
        "resource",
        ["list", "create", "detail", "propose", "confirm", "close"],
    ),
]
