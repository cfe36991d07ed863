"""Payroll months later than the current month plus HUHANG_PAYROLL_MONTHS_AHEAD are refused by
the service, the page and the command; `huhang payroll run` computes a month's existing draft
instead of refusing it (issue 12, part 5). The clock is 2026-11-16 (tests/benefits/conftest)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import base, execute_from_command_line

from huhang.benefits.models import PayrollRun, RunStatus
from huhang.benefits.payroll import services as payroll
from huhang.core.exceptions import DomainError


@pytest.fixture
def huhang(monkeypatch, capsys):
    """`huhang payroll ARGS...` through the real entry point: (exit code, stdout, stderr)."""
    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            execute_from_command_line(["huhang", "payroll", *argv])
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def test_the_service_refuses_a_month_beyond_the_setting(users, standards, settings):
    bureau = users["bureau"]
    # The next month is allowed (the default setting: one month ahead) ...
    assert payroll.run_create(by=bureau, programme=standards, month=date(2026, 12, 1)).pk
    # ... the one after is not, nor 2099.
    for month in (date(2027, 1, 1), date(2099, 1, 1)):
        with pytest.raises(DomainError, match="发放月份不能晚于 2026-12") as refused:
            payroll.run_create(by=bureau, programme=standards, month=month)
        assert refused.value.field == "month"
    settings.HUHANG_PAYROLL_MONTHS_AHEAD = 2
    assert payroll.run_create(by=bureau, programme=standards, month=date(2027, 1, 1)).pk
    settings.HUHANG_PAYROLL_MONTHS_AHEAD = 0
    with pytest.raises(DomainError):
        payroll.run_create(
            by=bureau, programme=standards, month=date(2026, 12, 1), supplementary=True
        )
    assert PayrollRun.objects.count() == 2


def test_the_page_refuses_a_future_month(users, standards, login):
    client = login(users["bureau"])
    response = client.post("/benefits/runs/new/", {"programme": standards.pk, "month": "2099-01"})
    assert response.status_code in (200, 400)
    assert "发放月份不能晚于 2026-12" in response.content.decode()
    assert not PayrollRun.objects.exists()


def test_the_command_refuses_a_future_month(huhang, users, entitled, standards):
    code, out, err = huhang("run", "orphan-home", "2099-01", "--user", "bureau")
    assert code != 0 and out == ""
    assert "发放月份不能晚于 2026-12" in err and "\n" not in err.strip()
    assert not PayrollRun.objects.exists()


def test_payroll_run_computes_an_existing_draft(huhang, users, entitled, standards):
    draft = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    code, out, err = huhang("run", "orphan-home", "2026-03", "--user", "bureau")
    assert code == 0, err
    result = json.loads(out)
    assert result["run"] == draft.pk and result["status"] == RunStatus.COMPUTED
    assert result["lines"] == 6 and result["total"] == "7800.00"
    assert PayrollRun.objects.count() == 1
    # Computed now: asking again refuses (a regular run of the month exists), as before.
    code, out, err = huhang("run", "orphan-home", "2026-03", "--user", "bureau")
    assert code != 0 and "已存在" in err
