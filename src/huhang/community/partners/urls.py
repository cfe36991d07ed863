"""Partners (with their contacts and agreements) and the charity resources they offer (names in
the "community" namespace)."""

from django.urls import path

from huhang.community.partners import views

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/contacts/", views.contact_create, name="contact_create"),
    path("partners/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/file/", views.agreement_download, name="agreement_download"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/propose/", views.resource_propose, name="resource_propose"),
    path("resources/<int:pk>/confirm/", views.resource_confirm, name="resource_confirm"),
    path("resources/<int:pk>/close/", views.resource_close, name="resource_close"),
]
