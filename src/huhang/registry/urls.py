from django.urls import path

from huhang.core.routing import resource_paths
from huhang.registry import views

app_name = "registry"
urlpatterns = [
    # A child's own page is the workbench's archive (children/<int:pk>/), composed of every app.
    *resource_paths("", views, "child", ["list", "create", "edit", "merge"]),
    path("export.csv", views.child_export, {"fmt": "csv"}, name="child_export"),
    path("export.xlsx", views.child_export, {"fmt": "xlsx"}, name="child_export_xlsx"),
    path("<int:pk>/relations/new/", views.relation_create, name="relation_create"),
    path("<int:pk>/relations/<int:relation_pk>/guardian/", views.guardian_set, name="guardian_set"),
    path("<int:pk>/situations/new/", views.situation_create, name="situation_create"),
    path("<int:pk>/household/", views.household_edit, name="household_edit"),
    path("<int:pk>/categories/new/", views.category_create, name="category_create"),
    path("categories/<int:pk>/<slug:step>/", views.category_step, name="category_step"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/<slug:step>/", views.duplicate_step, name="duplicate_step"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
]
