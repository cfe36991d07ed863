from django.urls import path

from huhang.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("healthz", views.healthz, name="healthz"),
    path("tasks/<int:pk>/", views.job_detail, name="job_detail"),
]
