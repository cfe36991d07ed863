from django.urls import path

from huhang.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("healthz", views.healthz, name="healthz"),
    path("tasks/<int:pk>/", views.job_detail, name="job_detail"),
    # The installable app (issue 13): at the root, where browsers and the worker's scope want them.
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
]
