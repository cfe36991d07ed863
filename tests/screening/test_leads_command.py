"""`huhang leads`: the operator's listing, JSON or CSV, full ID numbers, audited per lead."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from huhang.core.models import AuditEvent
from tests.factories.screening import EVIDENCE, LeadFactory
from tests.screening.test_leads_support import NEW_CHILD

pytestmark = pytest.mark.usefixtures("pinned_clock")


def run(*args) -> str:
    out = io.StringIO()
    call_command("leads", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def leads(tree, children):
    flagged = LeadFactory(
        division=tree["street"],
        kind="migrant",
        region_code=tree["street"].code + "099",
        region_flagged=True,
        **NEW_CHILD,
    )
    orphan = LeadFactory(division=tree["c1"], child=children["xiaohai"], kind="orphan")
    ended = LeadFactory(
        division=tree["village"], child=children["village"], kind="moved_out", verified=True
    )
    return {"flagged": flagged, "orphan": orphan, "ended": ended}


def test_json_lists_every_lead_with_the_documented_fields(leads, children, tree):
    rows = json.loads(run("--format", "json"))
    assert [r["id"] for r in rows] == sorted(lead.pk for lead in leads.values())
    by_id = {r["id"]: r for r in rows}
    orphan = by_id[leads["orphan"].pk]
    assert {"kind", "id_number", "name", "region_code", "status", "evidence"} <= set(orphan)
    assert orphan["kind"] == "orphan" and orphan["status"] == "new"
    assert (orphan["kind_label"], orphan["status_label"]) == ("疑似孤儿", "待核实")
    assert orphan["id_number"] == children["xiaohai"].person.id_number  # in full
    assert orphan["name"] == "王小海" and orphan["region_code"] == tree["c1"].code
    assert orphan["evidence"] == EVIDENCE
    assert orphan["child"] == children["xiaohai"].pk and orphan["division"] == tree["c1"].code
    flagged = by_id[leads["flagged"].pk]
    assert (
        flagged["region_flagged"] is True and flagged["region_code"] == tree["street"].code + "099"
    )
    assert flagged["child"] is None and flagged["birth_date"] == "2017-05-04"


def test_filters_by_status_and_kind(leads):
    assert [r["id"] for r in json.loads(run("--status", "verified"))] == [leads["ended"].pk]
    rows = json.loads(run("--kind", "orphan", "--kind", "migrant"))
    assert {r["kind"] for r in rows} == {"orphan", "migrant"}
    assert json.loads(run("--status", "approved")) == []


def test_every_printed_lead_is_audited(leads):
    run()
    events = AuditEvent.objects.filter(object_type="lead", action="export")
    assert {e.object_id for e in events} == {str(lead.pk) for lead in leads.values()}
    assert all(e.via == "cli" for e in events)
    # The trail itself keeps ID numbers masked.
    assert all(lead.id_number not in e.object_label for e in events for lead in leads.values())


def test_user_limits_to_its_scope(leads, users):
    rows = json.loads(run("--user", "director"))
    assert [r["id"] for r in rows] == [leads["orphan"].pk]
    assert AuditEvent.objects.filter(object_type="lead", username="director").count() == 1
    with pytest.raises(CommandError):
        run("--user", "nobody")


def test_csv(leads):
    text = run("--format", "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3
    orphan = next(r for r in rows if r["id"] == str(leads["orphan"].pk))
    assert orphan["kind"] == "orphan" and json.loads(orphan["evidence"]) == EVIDENCE


def test_unknown_status_is_refused(db):
    with pytest.raises(CommandError):
        run("--status", "pending")
