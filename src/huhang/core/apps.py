from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _private_sqlite_files(sender, connection, **kwargs) -> None:
    """The SQLite file and its WAL and shared-memory files are 0600, whoever created them."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name in _SEEN or name == ":memory:" or name.startswith("file:"):
        return
    from huhang.core.filemodes import make_private

    make_private(name, f"{name}-wal", f"{name}-shm")
    _SEEN.add(name)


_SEEN: set[str] = set()


class CoreConfig(AppConfig):
    name = "huhang.core"
    label = "core"
    verbose_name = _("公共")

    def ready(self) -> None:
        connection_created.connect(_private_sqlite_files, dispatch_uid="huhang-private-sqlite")
        from huhang.core import heartbeat, jobs, scope
        from huhang.core.models import Job

        heartbeat.sweeper("jobs", jobs.jobs_sweep)
        # A background job is its requester's alone: its page shows a title, a stage and a link.
        scope.rule(Job)(lambda user, qs: qs.filter(requested_by=user))
