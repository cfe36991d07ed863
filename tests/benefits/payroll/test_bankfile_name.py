"""Bank file names carry the programme's name, not its internal code (dfuc, orphan-home)."""

from __future__ import annotations

from huhang.benefits.payroll.bankfile import filename
from tests.factories.benefits import PayrollRunFactory, ProgrammeFactory


def test_the_bank_file_is_named_by_the_programme(db, users):
    programme = ProgrammeFactory(code="dfuc", name="事实无人抚养儿童基本生活费")
    run = PayrollRunFactory(programme=programme, created_by=users["bureau"])
    name = filename(run, "csv")
    assert name.startswith(f"银行代发_{run.programme.name}_")
    assert "dfuc" not in name and name.endswith(f"_{run.pk:06d}.csv")


def test_characters_a_file_system_refuses_are_dropped(db, users):
    programme = ProgrammeFactory(code="x1", name="助学 金/秋:补助")
    run = PayrollRunFactory(programme=programme, created_by=users["bureau"])
    assert "_助学金秋补助_" in filename(run, "xlsx", "icbc")
