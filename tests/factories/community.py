"""Community work: workstations, activities and enrolments, trainings and their attendance,
partners, charity resources and their allocations, the community targets of service projects.

Factories write rows as the community services store them (an activity's creator is one of its
organisers, a confirmed allocation records who confirmed it, when and what the child received);
tests that exercise the rules call the services themselves."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from huhang.accounts.models import OrganisationKind
from huhang.community.models import (
    Activity,
    ActivityKind,
    Allocation,
    AllocationStatus,
    Enrolment,
    PartnerProfile,
    ProjectTarget,
    Resource,
    ResourceKind,
    StationLevel,
    Training,
    TrainingAttendance,
    Workstation,
)
from huhang.core.roles import Role
from huhang.regions.models import Level
from tests.factories.base import DivisionFactory, OrganisationFactory, UserFactory
from tests.factories.registry import ChildFactory

_STATION_LEVEL = {Level.DISTRICT: StationLevel.DISTRICT, Level.STREET: StationLevel.STREET}


def _in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


class WorkstationFactory(factory.django.DjangoModelFactory):
    """A station of the division's level (a district's, a street's, else a community's)."""

    class Meta:
        model = Workstation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试未成年人保护工作站{n}")
    division = factory.SubFactory(DivisionFactory)
    level = factory.LazyAttribute(
        lambda o: _STATION_LEVEL.get(o.division.level, StationLevel.COMMUNITY)
    )
    address = factory.Sequence(lambda n: f"测试路{n}号")

    @factory.post_generation
    def staff(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.staff.set(extracted)


class _ActivityPartnerFactory(factory.django.DjangoModelFactory):
    """A partner organisation taking part in an activity (the M2M row)."""

    class Meta:
        model = Activity.partners.through

    activity = None
    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CHARITY)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity a month ahead, open to every child; `held=True` a week ago. `with_partner`
    adds a charity as partner (`partner_link__organisation=` to choose it). Its creator (a
    supervisor unless given) is one of its organisers, as activity_create makes it."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    class Params:
        held = factory.Trait(held_on=factory.LazyFunction(lambda: _in_days(-7)))
        with_partner = factory.Trait(
            partner_link=factory.RelatedFactory(
                _ActivityPartnerFactory, factory_related_name="activity"
            )
        )

    title = factory.Sequence(lambda n: f"测试活动{n}")
    kind = ActivityKind.FESTIVAL
    station = factory.SubFactory(WorkstationFactory)
    held_on = factory.LazyFunction(lambda: _in_days(30))
    capacity = 20
    created_by = factory.SubFactory(UserFactory, role=Role.SUPERVISOR)

    @factory.post_generation
    def organisers(obj, create, extracted, **kwargs):
        if create:
            obj.organisers.set(extracted or [obj.created_by])


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A child (of the station's division unless given) enrolled in an activity; `attended`
    stays None (attendance not taken) unless given."""

    class Meta:
        model = Enrolment

    activity = factory.SubFactory(ActivityFactory)
    child = factory.SubFactory(
        ChildFactory, division=factory.SelfAttribute("..activity.station.division")
    )
    enrolled_by = factory.SelfAttribute("activity.created_by")


class TrainingFactory(factory.django.DjangoModelFactory):
    """A two-hour training held a month ago by a division (the district's unless given)."""

    class Meta:
        model = Training

    topic = factory.Sequence(lambda n: f"测试培训{n}")
    held_on = factory.LazyFunction(lambda: _in_days(-30))
    trainer = "讲师"
    hours = Decimal("2.0")
    division = factory.SubFactory(DivisionFactory)
    created_by = factory.SubFactory(UserFactory, role=Role.BUREAU)


class TrainingAttendanceFactory(factory.django.DjangoModelFactory):
    """A person (a director unless given) signed in at a training, recorded by its organiser."""

    class Meta:
        model = TrainingAttendance

    training = factory.SubFactory(TrainingFactory)
    user = factory.SubFactory(UserFactory, role=Role.DIRECTOR)
    recorded_by = factory.SelfAttribute("training.created_by")


class PartnerProfileFactory(factory.django.DjangoModelFactory):
    """A charity the bureau works with (give `organisation` for an existing one)."""

    class Meta:
        model = PartnerProfile

    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CHARITY)
    linked_on = factory.LazyFunction(lambda: _in_days(-365))
    created_by = factory.SubFactory(UserFactory, role=Role.BUREAU)


class ResourceFactory(factory.django.DjangoModelFactory):
    """Three school bags a charity gives a month ahead, to any child (give `divisions=[...]`
    to narrow it to some regions)."""

    class Meta:
        model = Resource
        skip_postgeneration_save = True

    partner = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CHARITY)
    kind = ResourceKind.GOODS
    title = factory.Sequence(lambda n: f"测试资源{n}")
    quantity = 3
    per_child = "书包一个"
    available_on = factory.LazyFunction(lambda: _in_days(30))
    created_by = factory.SubFactory(UserFactory, role=Role.BUREAU)

    @factory.post_generation
    def divisions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.divisions.set(extracted)


class AllocationFactory(factory.django.DjangoModelFactory):
    """A child on a resource's list, proposed; `confirmed=True` received on the resource's day,
    with the resource's amount, confirmed by the person who proposed it."""

    class Meta:
        model = Allocation

    class Params:
        confirmed = factory.Trait(
            status=AllocationStatus.CONFIRMED,
            confirmed_by=factory.SelfAttribute("proposed_by"),
            confirmed_at=factory.LazyFunction(timezone.now),
            received_on=factory.SelfAttribute("resource.available_on"),
            amount_fen=factory.SelfAttribute("resource.amount_fen"),
        )

    resource = factory.SubFactory(ResourceFactory)
    child = factory.SubFactory(ChildFactory, division=factory.SubFactory(DivisionFactory))
    status = AllocationStatus.PROPOSED
    rank = factory.Sequence(lambda n: n + 1)
    proposed_by = factory.SelfAttribute("resource.created_by")


class ProjectTargetFactory(factory.django.DjangoModelFactory):
    """The community's targets of a purchased-service project (cases.ServiceProject)."""

    class Meta:
        model = ProjectTarget

    project = factory.SubFactory("tests.factories.cases.ServiceProjectFactory")
    target_activities = 4
    target_children = 8
