"""Purchased-service projects (under projects/, "community" namespace)."""

from huhang.community.projects import views
from huhang.core.routing import resource_paths

urlpatterns = resource_paths("", views, "project", ["list", "detail"])
