"""Factories for registry data, with valid ID numbers and a seeded faker."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from huhang.core import idnumber, names
from huhang.registry.models import Child, Person

factory.Faker._DEFAULT_LOCALE = "zh_CN"


def _birth(n: int, *, years: int) -> date:
    return timezone.localdate() - timedelta(days=365 * years + (n * 37) % 300)


class PersonFactory(factory.django.DjangoModelFactory):
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
    class Meta:
        model = Child

    person = factory.SubFactory(PersonFactory, years=9)
    division = None
    # The registry services keep these copies of the person's fields; factories must too.
    search_name = factory.LazyAttribute(lambda o: o.person.name_key)
    search_id = factory.LazyAttribute(lambda o: o.person.id_number or "")
    search_birth = factory.LazyAttribute(lambda o: o.person.birth_date)
