"""Guarantee funds: the reference programmes, standards, payees, entitlements, payroll runs and
their lines.

A payroll run is made by the payroll services themselves (create, compute, approve, export), so
that it has real lines and control totals, and the database's money rules (frozen lines, the
second approver, totals equal to lines) hold for it as for any run: `PayrollRunFactory` is a
draft; `computed=True`, `approved=True` (by a second bureau officer), `exported=True` walk it on.
"""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone

from huhang.benefits.models import Entitlement, Payee, PayrollLine, PayrollRun, Programme, Standard
from huhang.benefits.payroll import services as payroll
from huhang.core import crypto
from huhang.core.dates import this_month
from huhang.core.roles import Role
from tests.factories.base import DivisionFactory, UserFactory
from tests.factories.registry import ChildFactory


def _officer() -> factory.SubFactory:
    """A bureau officer of the district (fetched or created)."""
    return factory.SubFactory(
        UserFactory, role=Role.BUREAU, division=factory.SubFactory(DivisionFactory)
    )


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A reference programme by its code (orphan-home unless given): migrations and every test
    database flush create them (benefits.reference), so this fetches it."""

    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = "orphan-home"


class StandardFactory(factory.django.DjangoModelFactory):
    """1,300.00 yuan a month from January of this year (revision 1)."""

    class Meta:
        model = Standard

    programme = factory.SubFactory(ProgrammeFactory)
    effective_from = factory.LazyFunction(lambda: this_month().replace(month=1))
    amount_fen = 130000
    set_by = _officer()


class PayeeFactory(factory.django.DjangoModelFactory):
    """A guardian receiving a child's money (give `child`: registry.ChildFactory needs a
    division), the account encrypted as the services store it; in force since 2025."""

    class Meta:
        model = Payee

    class Params:
        account = factory.Sequence(lambda n: f"6222020200{n:09d}")

    child = factory.SubFactory(ChildFactory)
    name = factory.Faker("name")
    relation = "母亲"
    bank = "中国工商银行包头分行"
    account_cipher = factory.LazyAttribute(lambda o: crypto.encrypt(o.account))
    account_last4 = factory.LazyAttribute(lambda o: o.account[-4:])
    valid_from = date(2025, 1, 1)
    created_by = _officer()
    # Confirmed by a second officer (four eyes); `confirmed_by=None, confirmed_at=None` for a
    # payee still waiting for confirmation.
    confirmed_by = _officer()
    confirmed_at = factory.LazyFunction(timezone.now)


class EntitlementFactory(factory.django.DjangoModelFactory):
    """A child's entitlement (give `child`: registry.ChildFactory needs a division) to a
    programme (orphan-home unless given) from this month on."""

    class Meta:
        model = Entitlement

    child = factory.SubFactory(ChildFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    starts_on = factory.LazyFunction(this_month)


class PayrollRunFactory(factory.django.DjangoModelFactory):
    """A regular run of a programme for a month, made by the services; `computed=True` computes
    it (as on `today`, the run's month unless given), `approved=True` has `approver` (another
    bureau officer) approve it, `exported=True` marks it exported as a CSV export does."""

    class Meta:
        model = PayrollRun

    class Params:
        computed = factory.Trait(step="computed")
        approved = factory.Trait(step="approved", approver=_officer())
        exported = factory.Trait(step="exported", approver=_officer())

    programme = factory.SubFactory(ProgrammeFactory)
    month = factory.LazyFunction(this_month)
    supplementary = False
    created_by = _officer()
    # Not columns: how far the services take the run, and with whom.
    step = "draft"
    today = None
    approver = None

    @classmethod
    def _create(cls, model_class, *args, step, today, approver, **kwargs):
        by = kwargs["created_by"]
        run = payroll.run_create(
            by=by,
            programme=kwargs["programme"],
            month=kwargs["month"],
            supplementary=kwargs["supplementary"],
            today=today or kwargs["month"],
        )
        steps = ("draft", "computed", "approved", "exported")
        if steps.index(step) >= 1:
            payroll.run_compute(by=by, run=run, today=today or run.month)
        if steps.index(step) >= 2:
            payroll.run_approve(by=approver, run=run)
        if steps.index(step) >= 3:
            payroll.run_mark_exported(by=by, run=run, fmt="csv")
        return run


class PayrollLineFactory(factory.django.DjangoModelFactory):
    """A line written directly (the computation writes real ones): for tests of what the
    database itself refuses. Give `run`, `child` and `standard`; the month is the run's."""

    class Meta:
        model = PayrollLine

    run = factory.SubFactory(PayrollRunFactory)
    seq = factory.Sequence(lambda n: n + 1)
    child = factory.SubFactory(ChildFactory)
    programme_id = factory.LazyAttribute(lambda o: o.run.programme_id)
    for_month = factory.LazyAttribute(lambda o: o.run.month)
    standard = factory.SubFactory(StandardFactory)
    amount_fen = factory.LazyAttribute(lambda o: o.standard.amount_fen)
    payee_name = "x"
    payee_bank = "x"
    payee_account_cipher = "x"
    payee_account_last4 = "1234"


def confirmed(payee: Payee) -> Payee:
    """A payee registered through the service, confirmed through the service by a second
    officer of the same district (four eyes), so that payroll runs pay it."""
    from huhang.benefits import services

    second = UserFactory(role=Role.BUREAU, division=payee.created_by.division)
    return services.payee_confirm(by=second, payee=payee)


__all__ = [
    "EntitlementFactory",
    "PayeeFactory",
    "PayrollLineFactory",
    "PayrollRunFactory",
    "ProgrammeFactory",
    "StandardFactory",
    "confirmed",
]
