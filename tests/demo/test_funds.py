"""The demo's guarantee funds: sample standards, payees and entitlements for every programme, a
second bureau officer, a year of payroll history (with a 补发 and a failed line paid again), this
month's drafts; made once."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Count
from django.utils import timezone

from huhang.accounts.models import User
from huhang.benefits.models import (
    Entitlement,
    Payee,
    PayrollLine,
    PayrollRun,
    Programme,
    Standard,
)
from huhang.benefits.payroll import selectors as payroll_selectors
from huhang.benefits.payroll import services
from huhang.core import crypto, idnumber
from huhang.core.dates import add_months
from huhang.core.models import AuditEvent
from huhang.demo import divisions, funds, generator
from huhang.registry.models import Child, Person

MODELS = (User, Person, Child, Standard, Payee, Entitlement, PayrollRun, PayrollLine)


@pytest.fixture
def demo(db):
    return generator.generate("small")


@pytest.fixture
def bureau(demo):
    return User.objects.get(username="bureau")


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def next_september() -> date:
    month = this_month()
    return date(month.year + (month.month > 9), 9, 1)


def test_bureau2_is_a_second_bureau_officer(demo):
    bureau, bureau2 = User.objects.get(username="bureau"), User.objects.get(username="bureau2")
    assert bureau2.role == "bureau" and bureau2.division_id == bureau.division_id
    assert bureau2.check_password(generator.DEMO_PASSWORD)
    assert bureau2.last_name and bureau2.first_name
    assert "bureau2" in [row[0] for row in generator.accounts_table()]


def test_standards_are_marked_as_samples(demo):
    amounts = {
        code: list(Standard.objects.filter(programme=code).values_list("amount_fen", flat=True))
        for code in ("orphan-institution", "orphan-home", "dfuc", "scholarship", "autumn-aid")
    }
    samples = Standard.objects.filter(note__startswith=funds.SAMPLE).count()
    assert samples == Standard.objects.count() == 8
    assert amounts["orphan-institution"][-1] == 195_000
    assert amounts["orphan-home"][-1] == amounts["dfuc"][-1] == 150_000
    assert amounts["orphan-home"] == amounts["dfuc"] and len(amounts["dfuc"]) == 2  # a raise
    assert amounts["scholarship"] == [1_000_000] and amounts["autumn-aid"] == [100_000]
    raised = Standard.objects.filter(programme="dfuc").order_by("effective_from").last()
    assert raised.effective_from == add_months(this_month(), -12)


@pytest.mark.parametrize(
    "code", ["orphan-institution", "orphan-home", "dfuc", "scholarship", "autumn-aid"]
)
def test_every_programme_has_entitled_children_with_payees_and_a_run_pays_them(demo, bureau, code):
    programme = Programme.objects.get(code=code)
    paid = Entitlement.objects.filter(programme=programme, child__payees__isnull=False)
    assert paid.exists()
    if code == "scholarship":
        month = next_september()
        run = PayrollRun.objects.filter(programme=programme, month=month).first()
        # Made as on that September: a run for a month further ahead is refused (months ahead).
        run = run or services.run_create(by=bureau, programme=programme, month=month, today=month)
    else:
        run = PayrollRun.objects.get(programme=programme, month=this_month(), status="draft")
    services.run_compute(by=bureau, run=run, today=max(run.month, timezone.localdate()))
    assert run.line_count >= 1 and payroll_selectors.run_totals_agree(run)
    line = run.lines.first()
    account = crypto.decrypt(line.payee_account_cipher)
    assert account.isdigit() and len(account) == 19 and account.endswith(line.payee_account_last4)


def test_payees_are_the_guardian_or_the_institution(demo):
    for payee in Payee.objects.select_related("child__person"):
        if payee.relation == "本人":  # an adult student is paid directly
            assert payee.name == payee.child.person.name and payee.child.status == "aged_out"
        elif payee.child.living == "institution":
            assert payee.name == divisions.INSTITUTION_NAME
        else:
            assert payee.name != payee.child.person.name


def test_scholarship_students_are_aged_out_former_orphans_or_dfuc(demo):
    today = timezone.localdate()
    students = Child.objects.filter(entitlements__programme="scholarship").select_related("person")
    assert students.count() == len(funds.SCHOLARS)
    for child in students:
        assert child.status == "aged_out" and child.person.age_on(today) >= 18
        idnumber.validate(
            child.person.id_number, birth_date=child.person.birth_date, sex=child.person.sex
        )
        ended = child.categories.get()
        assert ended.category in ("orphan", "dfuc") and ended.status == "ended"
        assert child.person.age_on(ended.effective_from) < 18


def test_autumn_aid_students_are_in_the_final_year_of_poor_households(demo):
    today = timezone.localdate()
    for e in Entitlement.objects.filter(programme="autumn-aid").select_related("child__person"):
        person = e.child.person
        assert e.child.school_stage == "senior" and person.age_on(today) == 17
        assert person.household.assistance in ("urban_dibao", "rural_dibao", "tekun")
        assert e.starts_on == e.ends_on == this_month()


def test_history_computed_by_bureau_approved_by_bureau2_and_dated(demo):
    past = PayrollRun.objects.filter(month__lt=this_month())
    assert past.count() >= 3 * funds.HISTORY_MONTHS
    assert set(past.values_list("computed_by__username", "approved_by__username")) == {
        ("bureau", "bureau2")
    }
    last = add_months(this_month(), -1)
    assert set(past.filter(month=last).values_list("status", flat=True)) == {"reconciled"}
    assert set(past.filter(month__lt=last).values_list("status", flat=True)) == {"closed"}
    for run in past:
        assert payroll_selectors.run_totals_agree(run)
        assert run.exported_at.date() <= run.month.replace(day=run.programme.due_day)
    drafts = PayrollRun.objects.filter(month=this_month())
    assert set(drafts.values_list("status", flat=True)) == {"draft"}
    # Each step is on the audit trail.
    steps = AuditEvent.objects.filter(object_type="payroll_run").values_list("detail", flat=True)
    assert {"created", "computed", "approved", "exported", "reconciled", "closed"} <= {
        d["step"] for d in steps
    }


def test_the_raise_was_paid_as_a_difference_the_month_after(demo):
    raised = add_months(this_month(), -12)
    later = PayrollLine.objects.filter(
        run__month=add_months(raised, 1), for_month=raised, programme="dfuc"
    )
    assert later.exists()
    assert set(later.values_list("amount_fen", flat=True)) == {150_000 - 142_000}


def test_a_failed_line_was_paid_again_the_next_month(demo):
    failed = PayrollLine.objects.get(status="failed")
    assert failed.failure_reason == funds.FAILURE_REASON
    assert failed.run.month == add_months(this_month(), -2)
    again = PayrollLine.objects.exclude(pk=failed.pk).get(
        child=failed.child, programme=failed.programme, for_month=failed.for_month
    )
    assert again.run.month == add_months(this_month(), -1)
    assert again.status == "paid" and again.amount_fen == failed.amount_fen
    assert again.payee_account_last4 != failed.payee_account_last4  # the new account


def test_each_child_and_month_is_paid_once(demo):
    twice = (
        PayrollLine.objects.exclude(status="failed")
        .values("child", "programme", "for_month", "standard")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not twice.exists()


def test_running_again_adds_nothing(demo):
    before = {model: model.objects.count() for model in MODELS}
    assert funds.load() == {}
    generator.generate("small")
    assert {model: model.objects.count() for model in MODELS} == before


def test_accounts_are_deterministic():
    assert funds.account_for("150203200901011234") == funds.account_for("150203200901011234")
    bank, account = funds.account_for("x")
    digits = [int(d) for d in account]
    # Luhn: double every second digit from the right.
    total = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    assert total % 10 == 0 and bank
