"""`huhang db_worker`: django-tasks' database worker, with a heartbeat (core.heartbeat).

While it runs, a thread writes the worker's `WorkerBeat` row every HUHANG_HEARTBEAT_SECONDS
(read by /healthz and `huhang check`) and marks failed the runs whose own process died. Its
options are django_tasks_db's (`--interval`, `--batch`, `--max-tasks`, ...).
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from huhang.core import heartbeat


class Command(DatabaseWorkerCommand):
    help = "后台任务进程（排查、数据导入、发放计算），运行时定期写入心跳。"

    def handle(self, *args, **options) -> None:
        with heartbeat.worker_beating():
            super().handle(*args, **options)
