"""/screening/links/: the link review queue, one review, its decision (namespace "screening")."""

from huhang.core.routing import resource_paths
from huhang.screening.links import views

urlpatterns = resource_paths("", views, "link", ["list", "detail", "resolve"])
