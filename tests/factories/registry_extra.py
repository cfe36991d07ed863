"""Registry factories beside tests/factories/registry.py: households, relations, and a category
factory whose officers can be saved.

`registry.CategoryFactory` gives its officers a role but no division, which the user table's
`user_role_binding` constraint refuses for every division-bound role (director, supervisor,
bureau); so it cannot save. `CategoryFactory` here is the same factory with each officer bound
to the district (DivisionFactory's default code, fetched or created). Once the officers of
registry.CategoryFactory are bound, this subclass can go.
"""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from huhang.core.roles import Role
from huhang.registry.models import (
    AssistanceType,
    CategoryStatus,
    Household,
    Relation,
    RelationKind,
)
from tests.factories import registry
from tests.factories.base import DivisionFactory, UserFactory
from tests.factories.registry import PersonFactory


def _officer(role: str) -> factory.SubFactory:
    return factory.SubFactory(UserFactory, role=role, division=factory.SubFactory(DivisionFactory))


def _a_year_ago() -> date:
    return timezone.localdate().replace(day=1) - timedelta(days=365)


class CategoryFactory(registry.CategoryFactory):
    """A category assignment (a candidate by default; traits `verified`, `approved` with
    `effective_from` a year ago unless given, `ended`), each step by another officer."""

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
            effective_from=factory.LazyFunction(_a_year_ago),
        )
        ended = factory.Trait(
            status=CategoryStatus.ENDED,
            ended_reason="测试终止",
            effective_from=factory.LazyFunction(_a_year_ago),
            effective_to=factory.LazyFunction(timezone.localdate),
        )


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
