"""Registry factories beside tests/factories/registry.py: households and relations."""

from __future__ import annotations

import factory

from huhang.registry.models import (
    AssistanceType,
    Household,
    Relation,
    RelationKind,
)
from tests.factories.registry import PersonFactory


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household of a community (give `division`), on 城市低保 unless `assistance` says
    otherwise."""

    class Meta:
        model = Household

    division = None
    address = factory.Sequence(lambda n: f"友谊大街{n + 1}号")
    assistance = AssistanceType.URBAN_DIBAO


class RelationFactory(factory.django.DjangoModelFactory):
    """A relative of a child's person (give `child`: a Person), the father unless `kind` says."""

    class Meta:
        model = Relation

    child = factory.SubFactory(PersonFactory, years=9)
    relative = factory.SubFactory(PersonFactory, years=35)
    kind = RelationKind.FATHER
    is_guardian = False
