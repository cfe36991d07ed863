"""An auditor reads the audit events of its own division: those of the users bound inside it;
events of no division (a failed login, the command line) only at the installation's root."""

from __future__ import annotations

from django.urls import reverse

from huhang.core import scope
from huhang.core.audit import audit_record
from huhang.core.models import AuditEvent
from huhang.core.roles import Role
from tests.factories import UserFactory


def test_an_auditor_reads_the_events_of_its_own_division(users, tree, login):
    for name in ("supervisor", "director", "director2", "bureau"):
        audit_record(by=users[name], action="view", object_type="child", object_id=1)
    audit_record(by="someone", action="login_failed")
    street_auditor = UserFactory(role=Role.AUDITOR, division=tree["street"])

    def seen(user) -> set[str]:
        return set(scope.visible(user, AuditEvent).values_list("username", flat=True))

    assert seen(street_auditor) == {"supervisor", "director"}
    assert seen(users["auditor"]) == {"supervisor", "director", "director2", "bureau", "someone"}
    assert seen(users["director"]) == set()  # no audit.view
    page = login(street_auditor).get(reverse("core:audit_list"))
    # … and its own reading of the trail, which is recorded too.
    seen_on_page = {e.username for e in page.context["page"]}
    assert seen_on_page == {"supervisor", "director", street_auditor.username}


def test_each_event_names_the_division_of_its_user(users):
    event = audit_record(by=users["director"], action="view", object_type="child", object_id=1)
    assert event.division == users["director"].division_id
    assert audit_record(by="x", action="login_failed").division == ""
