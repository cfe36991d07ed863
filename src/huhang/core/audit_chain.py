"""The audit trail as a hash chain: every event carries a digest of its own content and of the
previous event's digest, so that a row rewritten, deleted or inserted behind the application's
back no longer fits (`huhang audit verify` names the first one that does not).

SHA-256 by default; SM3 (国密) when HUHANG_CRYPTO=sm. The algorithm is written in front of each
digest ("sha256:…", "sm3:…"), so a chain that spans a change of the setting still verifies.

Appending is serialised: the writer locks the chain's head row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions already hold the database's write lock), takes the
next place in the chain, inserts the event and moves the head, all in one transaction; two
writers never chain to the same predecessor, and a rolled-back transaction takes its link with
it.

A chain only proves itself to someone who kept an earlier head: anyone who can write the
database could recompute every digest after a change. `huhang audit head` prints the head for
the record (a signed register, another system), and `huhang audit verify --expect SEQ:HASH`
checks that the recorded link is still in the chain.

Events older than the retention period (HUHANG_AUDIT_RETENTION_DAYS, at least six months) may be
moved to an archive file (`huhang audit archive`): the file holds the events with their links,
the database keeps a row naming the file, its digest and the link it was cut at, and the chain
in the database goes on from that link. Nothing is ever dropped without an archive.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from huhang.core.models import AuditArchive, AuditChainHead, AuditEvent

GENESIS = "0" * 64
# The fields a link covers (everything but the row's id, which the database assigns).
CHAINED = (
    "seq",
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "ip",
    "via",
    "detail",
    "division",
)
ARCHIVE_FORMAT = "huhang-audit-archive/1"


def algorithm() -> str:
    return "sm3" if getattr(settings, "HUHANG_CRYPTO", "") == "sm" else "sha256"


def _digest(name: str, data: bytes) -> str:
    if name == "sha256":
        return hashlib.sha256(data).hexdigest()
    if name == "sm3":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    raise ValueError(f"unknown audit digest {name!r}")


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def content(event: dict[str, Any]) -> bytes:
    """The bytes a link covers: the chained fields as canonical JSON (sorted keys, UTC times)."""
    fields = {name: _canonical(event.get(name)) for name in CHAINED}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def link(previous: str, event: dict[str, Any], name: str | None = None) -> str:
    """The digest of `event` chained to the `previous` digest, written as "algorithm:hex"."""
    name = name or algorithm()
    data = previous.encode() + b"\n" + content(event)
    return f"{name}:{_digest(name, data)}"


def _algorithm_of(digest: str) -> str:
    return digest.split(":", 1)[0] if ":" in digest else "sha256"


def _locked_head() -> AuditChainHead:
    """The head row, locked until the transaction ends. The migration creates it; after a
    flush (tests) the first writer does, and a second one racing it finds it made."""
    locked = AuditChainHead.objects.select_for_update()
    head = locked.filter(pk=1).first()
    if head is None:
        start = AuditChainHead(pk=1, seq=0, hash=GENESIS)
        AuditChainHead.objects.bulk_create([start], ignore_conflicts=True)
        head = locked.get(pk=1)
    return head


def append(rows: Iterable[dict[str, Any]]) -> list[AuditEvent]:
    """Insert events (dicts of their fields) at the end of the chain: three statements (lock
    the head, insert, move the head) in the caller's transaction, or in one of their own. No
    savepoint: an event that fails to be written fails the whole transaction it reports on."""
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        events = []
        for fields in rows:
            event = AuditEvent(**fields)
            event.at = event.at or timezone.now()
            event.seq = head.seq + 1
            event.hash = link(head.hash, vars(event))
            head.seq, head.hash = event.seq, event.hash
            events.append(event)
        if events:
            AuditEvent.objects.bulk_create(events)
            AuditChainHead.objects.filter(pk=1).update(seq=head.seq, hash=head.hash)
    return events


# --- Reading the chain back --------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    at: datetime | None


@dataclass(frozen=True)
class Break:
    """The first event that does not fit, and why."""

    event_id: int | None
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event #{self.event_id} (seq {self.seq})" if self.event_id else "the chain"
        return f"{where}: {self.reason}"


def head() -> Head:
    """The last link of the chain as the events say (not as the head row says)."""
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    if last is not None:
        return Head(last.seq or 0, last.hash, last.at)
    cut = AuditArchive.objects.order_by("-cut_seq").first()
    return Head(cut.cut_seq, cut.cut_hash, cut.before) if cut else Head(0, GENESIS, None)


def _start() -> tuple[int, str]:
    """Where the chain in the database starts: after the last archive's cut, or at genesis."""
    cut = AuditArchive.objects.order_by("-cut_seq").first()
    return (cut.cut_seq, cut.cut_hash) if cut else (0, GENESIS)


def _rows() -> Iterator[dict[str, Any]]:
    fields = ("id", "hash", *CHAINED)
    query = AuditEvent.objects.order_by("seq").values(*fields)
    yield from query.iterator(chunk_size=5000)


def verify(progress: Callable[[int], None] | None = None) -> tuple[int, Break | None]:
    """Walk the chain; return how many events fit and the first break (None if there is none)."""
    stray = AuditEvent.objects.filter(seq__isnull=True).order_by("id").first()
    if stray is not None:
        return 0, Break(stray.pk, None, "has no place in the chain (inserted behind the app)")
    seq, previous = _start()
    checked = 0
    for row in _rows():
        if row["seq"] <= seq:
            return checked, Break(row["id"], row["seq"], "lies before the chain's start")
        if row["seq"] != seq + 1:
            missing = f"{seq + 1}–{row['seq'] - 1}" if row["seq"] > seq + 2 else str(seq + 1)
            return checked, Break(
                row["id"], row["seq"], f"does not follow seq {seq}: event seq {missing} is gone"
            )
        if link(previous, row, _algorithm_of(row["hash"])) != row["hash"]:
            return checked, Break(
                row["id"], row["seq"], "does not fit: its content or link was changed"
            )
        seq, previous = row["seq"], row["hash"]
        checked += 1
        if progress is not None and checked % 10_000 == 0:
            progress(checked)
    recorded = AuditChainHead.objects.filter(pk=1).first()
    if recorded is not None and (recorded.seq, recorded.hash) != (seq, previous):
        return checked, Break(
            None,
            recorded.seq,
            f"ends at seq {seq} but its head row says seq {recorded.seq}: "
            "the last events were deleted (or the head row changed)",
        )
    return checked, None


def expect(recorded: str) -> Break | None:
    """Check a head recorded earlier ("SEQ:algorithm:hex") against the chain."""
    seq_text, _, digest = recorded.partition(":")
    seq = int(seq_text)
    row = AuditEvent.objects.filter(seq=seq).values("id", "hash").first()
    if row is None:
        cut = AuditArchive.objects.filter(cut_seq=seq).first()
        if cut is not None and cut.cut_hash == digest:
            return None
        if cut is None and AuditArchive.objects.filter(cut_seq__gt=seq).exists():
            return None  # archived: verify the archive file with --archive
        return Break(None, seq, f"the recorded head seq {seq} is not in the chain")
    if row["hash"] != digest:
        return Break(row["id"], seq, "differs from the recorded head: the chain was rewritten")
    return None


# --- Archiving ---------------------------------------------------------------------------------


def retention_days() -> int:
    return settings.HUHANG_AUDIT_RETENTION.days


def retention_limit() -> datetime:
    """Events at or after this moment must stay in the database."""
    return timezone.now() - settings.HUHANG_AUDIT_RETENTION


def archive(*, before: datetime, out: Path) -> AuditArchive | None:
    """Move the events older than `before` to the file `out` (a new file, JSON lines, 0600)
    and cut the chain there; None when there is nothing to archive. The caller has checked
    `before` against the retention period and the chain with `verify`."""
    if before > retention_limit():
        raise ValueError("events younger than the retention period stay in the database")
    with transaction.atomic():
        _locked_head()
        start_seq, previous = _start()
        last = AuditEvent.objects.filter(at__lt=before).order_by("-seq").first()
        if last is None or last.seq is None or last.seq <= start_seq:
            return None
        count = _write_archive(out, start_seq, previous, last.seq)
        record = AuditArchive.objects.create(
            before=before,
            file_name=str(out),
            file_sha256=hashlib.sha256(out.read_bytes()).hexdigest(),
            first_seq=start_seq + 1,
            cut_seq=last.seq,
            cut_hash=last.hash,
            count=count,
        )
        # The only deletion of events there is: rows the archive now holds (the PostgreSQL
        # trigger lets a DELETE through only for seq up to the last archive's cut).
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE seq <= %s", [last.seq])
    return record


def _write_archive(out: Path, start_seq: int, previous: str, cut_seq: int) -> int:
    header = {"format": ARCHIVE_FORMAT, "after_seq": start_seq, "after_hash": previous}
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    count = 0
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        query = AuditEvent.objects.filter(seq__gt=start_seq, seq__lte=cut_seq).order_by("seq")
        for row in query.values("id", "hash", *CHAINED).iterator(chunk_size=5000):
            line = {k: _canonical(v) for k, v in row.items()}
            fh.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def verify_archive(path: Path) -> tuple[int, Break | None]:
    """Walk the chain inside an archive file, from the link it starts after."""
    with path.open(encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("format") != ARCHIVE_FORMAT:
            return 0, Break(None, None, f"{path} is not an audit archive")
        seq, previous = header["after_seq"], header["after_hash"]
        checked = 0
        for line in fh:
            row = json.loads(line)
            if row["seq"] != seq + 1:
                return checked, Break(row["id"], row["seq"], f"does not follow seq {seq}")
            if link(previous, row, _algorithm_of(row["hash"])) != row["hash"]:
                return checked, Break(row["id"], row["seq"], "does not fit: content changed")
            seq, previous = row["seq"], row["hash"]
            checked += 1
    cut = AuditArchive.objects.filter(cut_seq=seq).first()
    if cut is not None and cut.cut_hash != previous:
        return checked, Break(None, seq, "ends at a link the database does not know")
    return checked, None
