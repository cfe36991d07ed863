from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "huhang.community"
    label = "community"
    verbose_name = _("未保工作站与社会力量")

    def ready(self) -> None:
        from huhang.community import scope  # noqa: F401  (registers the app's visibility rules)
