"""The audit trail is tamper-evident: `huhang audit verify` exits 0 on untouched data and
non-zero, naming the first event that does not fit, after a row is rewritten, deleted or inserted
behind the application's back (the database's own guard switched off first, as the database's
owner could). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from huhang.core import audit_chain
from huhang.core.audit import audit_record
from huhang.core.models import AuditArchive, AuditEvent


def _events(user, n: int = 5) -> list[AuditEvent]:
    return [
        audit_record(by=user, action="view", object_type="child", object_id=i, label=f"儿童{i}")
        for i in range(1, n + 1)
    ]


def behind_the_app(sql: str, params: list | None = None) -> None:
    """Run `sql` as the database's owner would: with the append-only trigger switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params or [])
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute(sql, params or [])
            cursor.execute(
                "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent"
                " BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
            )


def verify(*args: str) -> str:
    """`huhang audit verify`: its output, or the CommandError (exit status 1) it raises."""
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        verify(*args)
    assert caught.value.returncode == 1
    return str(caught.value)


def test_untouched_chain_verifies(users):
    events = _events(users["bureau"])
    assert "intact: 5 events" in verify()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(e.hash.startswith("sha256:") for e in events)


def test_a_rewritten_event_is_named(users):
    events = _events(users["bureau"])
    behind_the_app(
        "UPDATE core_auditevent SET object_label = 'nobody' WHERE id = %s", [events[2].pk]
    )
    message = refused()
    assert f"event #{events[2].pk} (seq 3)" in message and "changed" in message


def test_a_deleted_event_is_named(users):
    events = _events(users["bureau"])
    behind_the_app("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    message = refused()
    assert f"event #{events[2].pk} (seq 3)" in message and "seq 2 is gone" in message


def test_deleting_the_last_events_is_seen(users):
    events = _events(users["bureau"])
    behind_the_app("DELETE FROM core_auditevent WHERE seq >= 4")
    assert "ends at seq 3" in refused()
    assert events


def test_an_inserted_event_is_named(users):
    _events(users["bureau"])
    behind_the_app(
        "INSERT INTO core_auditevent (at, username, role, action, object_type, object_id,"
        " object_label, via, detail, division, hash) VALUES"
        " (%s, 'ghost', 'bureau', 'view', 'child', '9', 'x', 'web', '{}', '', '')",
        [timezone.now()],
    )
    ghost = AuditEvent.objects.get(username="ghost")
    assert f"event #{ghost.pk}" in refused()


def test_an_inserted_event_with_a_place_in_the_chain_is_named(users):
    events = _events(users["bureau"])
    behind_the_app(
        "INSERT INTO core_auditevent (at, username, role, action, object_type, object_id,"
        " object_label, via, detail, division, seq, hash) VALUES"
        " (%s, 'ghost', 'bureau', 'view', 'child', '9', 'x', 'web', '{}', '', 6, %s)",
        [timezone.now(), events[-1].hash],
    )
    ghost = AuditEvent.objects.get(username="ghost")
    assert f"event #{ghost.pk} (seq 6)" in refused()


def test_a_recomputed_chain_is_caught_by_the_recorded_head(users):
    """The owner rewrites an event and recomputes every later link and the head row: the chain
    fits again, but not the head printed (and kept elsewhere) before."""
    events = _events(users["bureau"])
    from io import StringIO

    out = StringIO()
    call_command("audit", "head", stdout=out)
    recorded = out.getvalue().split()[0]
    assert recorded == f"5:{events[-1].hash}"
    previous = events[1].hash
    for event in events[2:]:
        fields = {f: getattr(event, f) for f in audit_chain.CHAINED}
        if event.seq == 3:
            fields["object_label"] = "nobody"
        digest = audit_chain.link(previous, fields)
        behind_the_app(
            "UPDATE core_auditevent SET object_label = %s, hash = %s WHERE id = %s",
            [fields["object_label"], digest, event.pk],
        )
        previous = digest
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditchainhead SET hash = %s", [previous])
    assert "intact" in verify()
    assert "rewritten" in refused("--expect", recorded)


def test_sm3_when_the_guomi_setting_is_on(users, settings):
    _events(users["bureau"], 2)
    settings.HUHANG_CRYPTO = "sm"
    later = _events(users["bureau"], 2)
    assert later[0].hash.startswith("sm3:")
    assert "intact: 4 events" in verify()


def test_archive_moves_old_events_out_and_the_chain_stays_verifiable(users, tmp_path):
    old = timezone.now() - timedelta(days=400)
    with time_machine.travel(old, tick=False):
        _events(users["bureau"], 3)
    _events(users["bureau"], 2)
    out = tmp_path / "audit-2025.jsonl"
    day = (timezone.localdate() - timedelta(days=200)).isoformat()
    call_command("audit", "archive", "--before", day, "--out", str(out))
    assert AuditEvent.objects.count() == 2
    cut = AuditArchive.objects.get()
    assert (cut.first_seq, cut.cut_seq, cut.count) == (1, 3, 3)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert "intact: 2 events" in verify("--archive", str(out))
    # The archive file is checked too: a rewritten line does not fit.
    lines = out.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("儿童2", "儿童X")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "seq 2" in refused("--archive", str(out))


def test_recent_events_are_never_archived(users, tmp_path):
    _events(users["bureau"], 2)
    day = (timezone.localdate() - timedelta(days=30)).isoformat()
    with pytest.raises(CommandError, match="HUHANG_AUDIT_RETENTION_DAYS"):
        call_command("audit", "archive", "--before", day, "--out", str(tmp_path / "a.jsonl"))
    assert AuditEvent.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's IMMEDIATE transactions serialise writers; the test database is in memory",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(users):
    """Four threads append at once: every event gets its own place, and the chain fits (the
    head row is locked FOR UPDATE by each writer in turn)."""
    bureau = users["bureau"]
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(10):
                audit_record(by=bureau, action="view", object_type="child", object_id=i)
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    seqs = sorted(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 41))
    assert "intact: 40 events" in verify()
