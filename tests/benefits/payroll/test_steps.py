"""The table of a payroll run's steps (benefits.payroll.services._STEPS): one chain from draft
to closed, each step recording who and when in fields the run has."""

from __future__ import annotations

from huhang.benefits.models import PayrollRun, RunStatus
from huhang.benefits.payroll.services import _STEPS


def test_the_steps_make_one_chain_from_draft_to_closed():
    status, chain = RunStatus.DRAFT, [RunStatus.DRAFT]
    starts = {expected: to for to, (expected, _by, _at) in _STEPS.items()}
    while status in starts:
        status = starts[status]
        chain.append(status)
    assert chain == list(RunStatus.values)


def test_each_step_records_who_and_when_in_fields_of_the_run():
    fields = {f.name for f in PayrollRun._meta.get_fields()}
    for to, (_expected, by_field, at_field) in _STEPS.items():
        assert at_field in fields, to
        assert by_field is None or by_field in fields, to
    assert _STEPS[RunStatus.CLOSED][1] is None  # closing records nobody
