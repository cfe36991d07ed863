"""Divisions, organisations and users."""

from __future__ import annotations

import factory

from huhang.accounts.models import Organisation, OrganisationKind, User
from huhang.core import divisions
from huhang.core.roles import Role
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


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = OrganisationKind.SOCIAL_WORK


class UserFactory(factory.django.DjangoModelFactory):
    """A user of a role; division-bound roles need `division`, the others `organisation`."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username)
    role = Role.BUREAU
    division = None
    organisation = None
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-42")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()
