from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The pages that compose several apps: home, the inbox and a child's archive page."""

    name = "huhang.workbench"
    label = "workbench"
    verbose_name = _("工作台")
