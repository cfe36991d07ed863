from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "huhang.cases"
    label = "cases"
    verbose_name = _("个案与探访")

    def ready(self) -> None:
        from huhang.cases import scope  # noqa: F401  (registers the app's visibility rules)
