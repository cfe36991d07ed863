from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "huhang.reports"
    label = "reports"
    verbose_name = _("统计与报告")

    def ready(self) -> None:
        from huhang.reports import scope  # noqa: F401  (registers the app's visibility rules)
