"""`huhang audit verify|head|archive`: the audit trail's hash chain (core.audit_chain).

huhang audit verify [--expect SEQ:HASH] [--archive FILE ...]
    walks the chain; exits 0 when every event fits, 1 naming the first one that does not
    (rewritten, deleted or inserted behind the application's back)
huhang audit head
    prints the chain's last link as SEQ:HASH, to record somewhere the database's owner
    cannot rewrite; `verify --expect` checks it later
huhang audit archive --before YYYY-MM-DD --out FILE
    moves the events older than the day (and older than the retention period) into FILE
    and cuts the chain there; the database keeps the cut and the file's digest
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huhang.core import audit_chain


class Command(BaseCommand):
    help = "审计日志哈希链：verify 校验、head 打印链头、archive 归档旧事件。"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验哈希链，发现篡改时以非零状态退出")
        verify.add_argument("--expect", metavar="SEQ:HASH", help="此前记录的链头")
        verify.add_argument(
            "--archive", metavar="FILE", action="append", default=[], help="同时校验归档文件"
        )
        sub.add_parser("head", help="打印链头（序号:哈希）")
        archive = sub.add_parser("archive", help="将早于某日的事件移入归档文件")
        archive.add_argument("--before", required=True, metavar="YYYY-MM-DD")
        archive.add_argument("--out", required=True, metavar="FILE")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _verify(self, *, expect: str | None, archive: list[str], **options) -> None:
        problems = []
        for name in archive:
            count, broken = audit_chain.verify_archive(Path(name))
            if broken:
                problems.append(f"{name}: {broken}")
            else:
                self.stdout.write(f"{name}: {count} events fit")
        count, broken = audit_chain.verify(progress=self._progress)
        if broken:
            problems.append(str(broken))
        if expect and (mismatch := audit_chain.expect(expect)):
            problems.append(str(mismatch))
        if problems:
            raise CommandError("audit chain broken: " + "; ".join(problems), returncode=1)
        head = audit_chain.head()
        self.stdout.write(f"audit chain intact: {count} events, head {head.seq}:{head.hash}")

    def _progress(self, count: int) -> None:
        self.stderr.write(f"… {count} events")

    def _head(self, **options) -> None:
        head = audit_chain.head()
        at = f" {head.at.isoformat()}" if head.at else ""
        self.stdout.write(f"{head.seq}:{head.hash}{at}")

    def _archive(self, *, before: str, out: str, **options) -> None:
        try:
            day = datetime.strptime(before, "%Y-%m-%d").date()
        except ValueError as exc:
            raise CommandError(f"--before {before}: not a date (YYYY-MM-DD)") from exc
        cutoff = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
        if cutoff > audit_chain.retention_limit():
            raise CommandError(
                f"--before {before}: events of the last {audit_chain.retention_days()} days "
                "stay in the database (HUHANG_AUDIT_RETENTION_DAYS)"
            )
        path = Path(out)
        if path.exists():
            raise CommandError(f"--out {out}: the file exists (an archive is never overwritten)")
        _count, broken = audit_chain.verify()
        if broken:
            raise CommandError(f"audit chain broken, nothing archived: {broken}")
        record = audit_chain.archive(before=cutoff, out=path)
        if record is None:
            self.stdout.write(f"no events before {before}: nothing archived")
            return
        self.stdout.write(
            f"{record.count} events (seq {record.first_seq}–{record.cut_seq}) archived to {out}"
            f" (sha256 {record.file_sha256}); the chain goes on from {record.cut_seq}:"
            f"{record.cut_hash}"
        )
