"""The audit trail names records, it does not copy them: after the demo district has been loaded
through the services (categories, payees, payroll, case work) and its archives and payee pages
have been opened, no event's label or detail holds a full ID number or a full bank account."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from huhang.accounts.models import User
from huhang.benefits.models import Payee
from huhang.core import crypto
from huhang.core.models import AuditEvent
from huhang.registry.models import Child, Person


@pytest.mark.django_db
def test_no_event_holds_a_full_id_number_or_bank_account():
    call_command("demo_data", "--size", "small", stdout=io.StringIO())
    bureau = Client()
    bureau.force_login(User.objects.get(username="bureau"))
    paid = list(Payee.objects.values_list("child_id", flat=True)[:5])
    with_id = Child.objects.filter(person__id_last__gt="").values_list("pk", flat=True)[:5]
    for pk in [*paid, *with_id]:
        assert bureau.get(reverse("workbench:child_detail", args=[pk])).status_code == 200
    for pk in paid:
        assert bureau.get(reverse("benefits:payee", args=[pk])).status_code == 200

    ids = {n for n in Person.objects.values_list("id_number", flat=True) if n}
    accounts = {crypto.decrypt(c) for c in Payee.objects.values_list("account_cipher", flat=True)}
    assert len(ids) > 100 and accounts  # the district has numbers to leak
    events = list(AuditEvent.objects.values_list("object_label", "detail"))
    assert len(events) > 100
    trail = "\n".join(label + json.dumps(detail, ensure_ascii=False) for label, detail in events)
    leaked = [n for n in ids | accounts if n in trail]
    assert leaked == []
