from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "huhang.screening"
    label = "screening"
    verbose_name = _("精准排查")

    def ready(self) -> None:
        from huhang.screening import scope  # noqa: F401  (registers the app's visibility rules)
