"""`huhang backup --out FILE [--with-keys]`: a consistent copy of the installation while it runs
(core.backup): the database, the data directory's documents and snapshots, a manifest with
SHA-256 checksums. The keys are left out unless `--with-keys`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huhang.core import backup
from huhang.core.audit import audit_operator
from huhang.core.models import AuditAction


class Command(BaseCommand):
    help = (
        "备份：数据库（SQLite 在线备份或 pg_dump）、数据目录中的文档与快照、带 SHA-256 校验和的"
        "清单，写入一个 tar 文件（以 .gz 结尾时压缩）。默认不含密钥，--with-keys 时包含。"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, type=Path, metavar="FILE", help="备份文件")
        parser.add_argument(
            "--with-keys",
            action="store_true",
            help="同时备份密钥（secret_key、field_key）：备份文件须与密钥同等保管",
        )

    def handle(self, *args, out: Path, with_keys: bool, verbosity: int, **options) -> None:
        if with_keys:
            self.stderr.write(
                "WARNING: --with-keys: this backup holds the keys that decrypt the bank accounts;"
                " keep it as safe as the keys themselves"
            )
        say = self.stderr.write if verbosity > 1 else backup._quiet
        try:
            backup.check_out(out)  # before the audit event: a refused backup is not one
            # Recorded first, so that the backup holds the record of its own making.
            audit_operator(
                action=AuditAction.EXPORT,
                object_type="backup",
                label=out.name,
                detail={"with_keys": with_keys},
            )
            done = backup.backup(out, with_keys=with_keys, say=say)
        except backup.BackupError as exc:
            raise CommandError(f"backup refused: {exc}") from exc
        keys = "with keys" if done.with_keys else "without keys"
        self.stdout.write(
            f"backup written: {done.path} ({done.engine}, {done.files} files checksummed,"
            f" {done.size:,} bytes, {keys})"
        )
