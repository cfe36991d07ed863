from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "huhang.registry"
    label = "registry"
    verbose_name = _("儿童档案")

    def ready(self) -> None:
        from huhang.core import crypto
        from huhang.registry import scope  # noqa: F401  (registers the app's visibility rules)

        # `huhang keys rotate` changes the persons' blind index: the children keep a copy.
        crypto.on_rotated("registry.Person", _refresh_children)


def _refresh_children(person_pks: list[int]) -> None:
    from huhang.registry.models import Child
    from huhang.registry.services import child_search_fields_refresh

    child_search_fields_refresh(Child.objects.filter(person_id__in=person_pks))
