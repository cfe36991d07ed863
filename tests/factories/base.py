"""Divisions, organisations and users."""

from __future__ import annotations

import factory

from huhang.accounts.models import Organisation, OrganisationKind, User
from huhang.core import divisions
from huhang.core.roles import DIVISION_ROLES, ORGANISATION_ROLES, Role
from huhang.regions.models import Division, Kind, Level

factory.Faker._DEFAULT_LOCALE = "zh_CN"

_KIND = {
    Level.PROVINCE: Kind.PROVINCE,
    Level.CITY: Kind.CITY,
    Level.DISTRICT: Kind.DISTRICT,
    Level.STREET: Kind.STREET,
    Level.COMMUNITY: Kind.COMMUNITY,
}


class DivisionFactory(factory.django.DjangoModelFactory):
    """A division whose level and kind follow from its code's length; give `parent` for a
    code below another (the code then defaults to the next number under the parent)."""

    class Meta:
        model = Division
        django_get_or_create = ("code",)

    parent = None
    code = factory.LazyAttributeSequence(
        lambda o, n: f"{o.parent.code}{n % 90 + 1:03d}" if o.parent else "150203"
    )
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = factory.LazyAttribute(lambda o: Level(divisions.level_of(o.code)))
    kind = factory.LazyAttribute(lambda o: _KIND[Level(divisions.level_of(o.code))])


def default_community() -> Division:
    """The community a child lives in when the test does not say: 友谊大街街道 (150203005) of
    昆都仑区, its first community — created on first use, found afterwards."""
    district = DivisionFactory(code="150203", name="昆都仑区")
    street = DivisionFactory(code="150203005", name="友谊大街街道", parent=district)
    return DivisionFactory(code="150203005001", name="友谊一社区", parent=street)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = OrganisationKind.SOCIAL_WORK


def _binding_division(o):
    """A division-bound role is bound to the district unless the test says where."""
    return DivisionFactory(code="150203", name="昆都仑区") if o.role in DIVISION_ROLES else None


def _binding_organisation(o):
    return OrganisationFactory() if o.role in ORGANISATION_ROLES else None


class UserFactory(factory.django.DjangoModelFactory):
    """A user of a role, bound as the role needs (the `user_role_binding` constraint): to the
    district by default for division roles, to a new organisation for the others; pass
    `division=` or `organisation=` to bind it elsewhere."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username)
    role = Role.BUREAU
    division = factory.LazyAttribute(_binding_division)
    organisation = factory.LazyAttribute(_binding_organisation)
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-42")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()
