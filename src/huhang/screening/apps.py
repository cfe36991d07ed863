from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "huhang.screening"
    label = "screening"
    verbose_name = _("精准排查")

    def ready(self) -> None:
        from huhang.core import heartbeat, jobs
        from huhang.screening import scope  # noqa: F401  (registers the app's visibility rules)
        from huhang.screening.feeds import services as feeds
        from huhang.screening.runs.services import runs_sweep

        heartbeat.sweeper("screening", runs_sweep)
        jobs.runner("feed_import", feeds.feed_import_job, feeds.feed_import_cleanup)
