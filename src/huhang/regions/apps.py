from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "huhang.regions"
    label = "regions"
    verbose_name = _("行政区划")

    def ready(self) -> None:
        from huhang.regions import scope  # noqa: F401  (registers the app's visibility rules)
