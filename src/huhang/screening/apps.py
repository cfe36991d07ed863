from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "huhang.screening"
    label = "screening"
    verbose_name = _("精准排查")

    def ready(self) -> None:
        from huhang.core import crypto, heartbeat, jobs
        from huhang.screening import scope  # noqa: F401  (registers the app's visibility rules)
        from huhang.screening.feeds import services as feeds
        from huhang.screening.runs.services import runs_sweep

        heartbeat.sweeper("screening", runs_sweep)
        jobs.runner("feed_import", feeds.feed_import_job, feeds.feed_import_cleanup)

        # `huhang keys rotate` changes the blind index a lead's person key is made of.
        crypto.on_rotated("screening.Lead", _rekey_leads)


def _rekey_leads(lead_pks: list[int]) -> None:
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from huhang.screening.models import Lead

    Lead.objects.filter(pk__in=lead_pks, person_key__startswith="id:").update(
        person_key=Concat(Value("id:"), F("id_index"))
    )
