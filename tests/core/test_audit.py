"""The audit trail: what is recorded, who may read it, and that nobody can change it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from huhang.core.audit import audit_record
from huhang.core.models import AppendOnlyError, AuditEvent


def test_viewing_an_archive_records_who_what_when_where(users, children, login):
    child = children["xiaohai"]
    login(users["supervisor"]).get(
        reverse("workbench:child_detail", args=[child.pk]), REMOTE_ADDR="10.1.2.3"
    )
    event = AuditEvent.objects.get(action="view")
    assert (event.username, event.role, event.object_type) == ("supervisor", "supervisor", "child")
    assert event.object_id == str(child.pk)
    assert event.ip == "10.1.2.3" and event.via == "web"
    assert "王小海" in event.object_label
    assert child.person.id_number not in event.object_label  # masked in the trail too


def test_refused_view_records_nothing(users, children, login):
    login(users["director2"]).get(reverse("workbench:child_detail", args=[children["xiaohai"].pk]))
    assert not AuditEvent.objects.filter(action="view").exists()


def test_model_and_queryset_refuse_change_and_delete(users):
    event = audit_record(by=users["bureau"], action="view", object_type="child", object_id=1)
    event.object_label = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_label="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_database_refuses_update_even_in_raw_sql(users):
    event = audit_record(by=users["bureau"], action="view", object_type="child", object_id=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET username = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).username == "bureau"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger is PostgreSQL-only")
def test_postgres_refuses_delete_in_raw_sql(users):
    event = audit_record(by=users["bureau"], action="view", object_type="child", object_id=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_browser_filters(users, children, login):
    child = children["xiaohai"]
    login(users["director"]).get(reverse("workbench:child_detail", args=[child.pk]))
    login(users["supervisor"]).get(reverse("workbench:child_detail", args=[children["c2"].pk]))
    client = login(users["auditor"])
    response = client.get(reverse("core:audit_list"), {"username": "director", "action": "view"})
    events = list(response.context["page"])
    assert [e.username for e in events] == ["director"]
    response = client.get(reverse("core:audit_list"), {"object_id": str(children["c2"].pk)})
    assert {e.username for e in response.context["page"]} == {"supervisor"}


def test_audit_browser_offers_no_way_to_change(users, login):
    audit_record(by=users["bureau"], action="view", object_type="child", object_id=1)
    client = login(users["bureau"])
    body = client.get(reverse("core:audit_list")).content.decode()
    assert 'method="post"' not in body.split("<main")[1].split("</main>")[0]
    assert client.post(reverse("core:audit_list")).status_code in (200, 405)
    assert AuditEvent.objects.count() >= 1
    assert not AuditEvent.objects.filter(username="x").exists()


def test_login_and_failed_login_are_audited(users, client):
    client.post(reverse("accounts:login"), {"username": "bureau", "password": "wrong-password"})
    client.post(reverse("accounts:login"), {"username": "bureau", "password": "Correct-Horse-42"})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "username"))
    assert actions == [("login_failed", "bureau"), ("login", "bureau")]


def test_admin_cannot_change_or_delete_audit_events(users, client):
    from huhang.accounts.models import User

    admin = User.objects.create_superuser("root", password="Admin-Password-1")
    client.force_login(admin)
    event = audit_record(by=users["bureau"], action="view", object_type="child", object_id=1)
    change = client.post(f"/admin/core/auditevent/{event.pk}/change/", {"username": "x"})
    delete = client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    # The trail is not in the admin at all (its labels name children): /audit/ reads it.
    assert change.status_code == delete.status_code == 404
    assert AuditEvent.objects.get(pk=event.pk).username == "bureau"


@pytest.mark.django_db
def test_a_command_line_event_names_the_system_login_and_the_channel(monkeypatch):
    # `huhang backup` and `huhang restore` act without an account: the operating-system login
    # stands in the trail, on the "cli" channel, whatever channel the caller was in.
    monkeypatch.setenv("LOGNAME", "operator-7")
    monkeypatch.setenv("USER", "operator-7")
    from huhang.core.audit import audit_operator
    from huhang.core.context import acting_from

    with acting_from("10.0.0.9", "web"):
        event = audit_operator(
            action="export", object_type="backup", label="b.tar", detail={"with_keys": False}
        )
    event.refresh_from_db()
    assert (event.username, event.via, event.ip, event.user_id) == ("operator-7", "cli", None, None)
    assert (event.object_type, event.object_label, event.detail) == (
        "backup",
        "b.tar",
        {"with_keys": False},
    )
