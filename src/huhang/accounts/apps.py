from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "huhang.accounts"
    label = "accounts"
    verbose_name = _("用户与角色")

    def ready(self) -> None:
        from huhang.accounts import scope  # noqa: F401  (registers the app's visibility rules)
