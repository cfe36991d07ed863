"""`huhang restore FILE`: restore a backup (core.backup) into this installation's empty data
directory (and empty database), after checking every checksum; then apply any newer migration
and collect the static files, so that the copy serves at once."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from huhang.core import backup
from huhang.core.audit import audit_operator
from huhang.core.crypto import key_problems
from huhang.core.models import AuditAction


class Command(BaseCommand):
    help = (
        "从备份文件恢复到空的数据目录（和空数据库）：先校验全部校验和，再载入数据库、文档与快照，"
        "执行迁移并收集静态文件，恢复后即可提供服务。--verify-only 只校验不恢复。"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help="备份文件")
        parser.add_argument(
            "--verify-only", action="store_true", help="只校验备份文件的清单与校验和"
        )

    def handle(self, *args, file: Path, verify_only: bool, verbosity: int, **options) -> None:
        say = self.stderr.write if verbosity > 1 else backup._quiet
        try:
            if verify_only:
                manifest = backup.verify(file)
                self.stdout.write(
                    f"backup intact: {len(manifest['files'])} files match their checksums"
                    f" ({manifest['engine']}, made {manifest['created']})"
                )
                return
            done = backup.restore(file, say=say)
        except backup.BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from exc
        say("applying migrations, collecting static files")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        audit_operator(
            action=AuditAction.CREATE,
            object_type="backup",
            label=file.name,
            detail={"restored": True, "keys": done.keys},
        )
        self.stdout.write(
            f"restored: {done.engine} database, {done.files} files"
            + (f", keys {', '.join(done.keys)}" if done.keys else ", no keys")
        )
        for line in done.key_warnings or key_problems():
            self.stderr.write(f"WARNING: {line}")
