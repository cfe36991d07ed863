"""The table of what each step of a lead writes (screening.leads.services._moved_to): every
status a step reaches, in fields the lead has, the note trimmed."""

from __future__ import annotations

import pytest

from huhang.screening.leads.services import _STEP_FIELDS, _moved_to
from huhang.screening.models import Lead, LeadStatus


def test_every_status_but_new_is_reached_by_a_step_writing_fields_of_the_lead():
    assert set(_STEP_FIELDS) == set(LeadStatus.values) - {LeadStatus.NEW}
    fields = {f.name for f in Lead._meta.get_fields()}
    for names in _STEP_FIELDS.values():
        assert set(names) <= fields


@pytest.mark.django_db
def test_a_step_writes_its_status_who_when_and_the_trimmed_note(users):
    moved = _moved_to(LeadStatus.REJECTED, by=users["bureau"], note="  查无此人 ")
    assert moved.pop("decided_at") is not None
    assert moved == {
        "status": LeadStatus.REJECTED,
        "decided_by": users["bureau"],
        "reject_reason": "查无此人",
    }
