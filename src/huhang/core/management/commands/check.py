"""`huhang check`: Django's system checks, then the installation's own (core.health).

Fails loudly — one line on stderr, exit status 1 — when the database does not answer, is not
migrated, or the field key is missing or wrong (`core.crypto.key_problems`), or the data
directory's disk is nearly full. Warns (stderr, exit 0) when no background-task worker has been
seen for HUHANG_WORKER_SILENT_MINUTES. Prints "ok" lines on stdout for what passed.
`--system-only`: Django's checks of the settings alone (e.g. `--deploy` before the database
exists).
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as SystemCheckCommand

from huhang.core import health


class Command(SystemCheckCommand):
    help = (
        "检查系统配置，以及本安装能否正常服务：数据库可用且已迁移、字段加密密钥存在且正确、"
        "磁盘空间；后台任务进程长时间未出现时警告。有问题时在标准错误输出一行并以非零状态退出。"
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--system-only",
            action="store_true",
            help="只做 Django 的系统检查（配置），不检查数据库、密钥、磁盘和后台任务进程",
        )

    def handle(self, *app_labels, **options) -> None:
        super().handle(*app_labels, **options)
        if options.get("list_tags") or options.get("system_only"):
            return
        db = health.database()
        checks = [db]
        if db.status == health.OK:
            checks.append(health.migrations())
        checks += [health.key(), health.disk()]
        if db.status == health.OK:
            checks.append(health.worker())
        failed = [c for c in checks if c.status == health.FAIL]
        for c in checks:
            if c.status == health.WARN:
                self.stderr.write(f"warning: {c.name}: {c.message}")
            elif c.status == health.OK:
                self.stdout.write(f"ok: {c.name}")
        if failed:
            raise CommandError("; ".join(f"{c.name}: {c.message}" for c in failed))
