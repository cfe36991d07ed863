"""People, children and their categories."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from huhang.core import crypto, idnumber, names
from huhang.core.roles import Role
from huhang.registry.models import (
    ID_LAST_DIGITS,
    CategoryAssignment,
    CategoryStatus,
    Child,
    Person,
)
from tests.factories.base import UserFactory, default_community


def _birth(n: int, *, years: int) -> date:
    return timezone.localdate() - timedelta(days=365 * years + (n * 37) % 300)


class PersonFactory(factory.django.DjangoModelFactory):
    """A person `years` old today (give `birth_date` to pin it), with a valid ID number."""

    class Meta:
        model = Person

    class Params:
        years = 30

    name = factory.Faker("name")
    sex = factory.Iterator(["M", "F"])
    birth_date = factory.LazyAttributeSequence(lambda o, n: _birth(n, years=o.years))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: idnumber.make(
            "150203", o.birth_date, (n % 500) * 2 + (1 if o.sex == "M" else 0)
        )
    )
    name_key = factory.LazyAttribute(lambda o: names.search_key(o.name))


class ChildFactory(factory.django.DjangoModelFactory):
    """A registered child (9 years old unless the person says otherwise). Traits give it a
    category at once: `ChildFactory(orphan=True)`, `ChildFactory(dfuc=True)`."""

    class Meta:
        model = Child
        skip_postgeneration_save = True

    class Params:
        orphan = factory.Trait(
            approved_category=factory.RelatedFactory(
                "tests.factories.registry.CategoryFactory",
                factory_related_name="child",
                category="orphan",
                approved=True,
            )
        )
        dfuc = factory.Trait(
            approved_category=factory.RelatedFactory(
                "tests.factories.registry.CategoryFactory",
                factory_related_name="child",
                category="dfuc",
                approved=True,
            )
        )

    person = factory.SubFactory(PersonFactory, years=9)
    division = factory.LazyFunction(default_community)
    # The registry services keep these copies of the person's fields; factories must too.
    search_name = factory.LazyAttribute(lambda o: o.person.name_key)
    search_id = factory.LazyAttribute(lambda o: crypto.blind_index(o.person.id_number) or "")
    search_last = factory.LazyAttribute(lambda o: (o.person.id_number or "")[-ID_LAST_DIGITS:])
    search_birth = factory.LazyAttribute(lambda o: o.person.birth_date)


def _officer(role: str):
    return factory.SubFactory(UserFactory, role=role)


class CategoryFactory(factory.django.DjangoModelFactory):
    """A category assignment, a candidate by default. Traits walk it along the workflow, each
    step by a different person as the four-eyes rule wants: `verified=True`, `approved=True`
    (effective from `effective_from`, default a year ago), `ended=True`."""

    class Meta:
        model = CategoryAssignment

    child = factory.SubFactory(ChildFactory)
    category = "orphan"
    status = CategoryStatus.CANDIDATE
    basis = "测试"
    proposed_by = _officer(Role.DIRECTOR)

    class Params:
        verified = factory.Trait(
            status=CategoryStatus.VERIFIED,
            verified_by=_officer(Role.SUPERVISOR),
            verified_at=factory.LazyFunction(timezone.now),
        )
        approved = factory.Trait(
            status=CategoryStatus.APPROVED,
            verified_by=_officer(Role.SUPERVISOR),
            verified_at=factory.LazyFunction(timezone.now),
            approved_by=_officer(Role.BUREAU),
            approved_at=factory.LazyFunction(timezone.now),
            effective_from=factory.LazyFunction(
                lambda: timezone.localdate().replace(day=1) - timedelta(days=365)
            ),
            # The back-dating floor the service records at approval; this early one lets tests
            # move effective_from freely (tests of the back-dating rule give their own).
            backdate_floor=date(2000, 1, 1),
        )
        ended = factory.Trait(
            status=CategoryStatus.ENDED,
            ended_reason="测试终止",
            effective_from=factory.LazyFunction(
                lambda: timezone.localdate().replace(day=1) - timedelta(days=365)
            ),
            effective_to=factory.LazyFunction(timezone.localdate),
        )
