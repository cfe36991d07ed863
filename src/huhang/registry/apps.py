from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "huhang.registry"
    label = "registry"
    verbose_name = _("儿童档案")

    def ready(self) -> None:
        from huhang.registry import scope  # noqa: F401  (registers the app's visibility rules)
