"""The demo district's community work loads, once, with the six brands and matched resources."""

from __future__ import annotations

import pytest

from huhang.community.models import (
    Activity,
    Allocation,
    Enrolment,
    PartnerProfile,
    Training,
    Workstation,
)
from huhang.demo import community, generator


@pytest.fixture
def demo(db):
    return generator.generate("small")


def test_demo_community_loads(demo):
    brands = set(Workstation.objects.exclude(brand="").values_list("brand", flat=True))
    assert len(brands) == 6
    assert set(Workstation.objects.values_list("level", flat=True)) == {
        "district",
        "street",
        "community",
    }
    assert Activity.objects.count() >= 30
    assert Enrolment.objects.filter(attended=True).exists()
    # Enrolled over capacity never; every demo enrolment is eligible.
    for a in Activity.objects.all():
        assert a.enrolments.count() <= a.capacity
    assert not Enrolment.objects.filter(eligible=False).exists()
    kinds = set(PartnerProfile.objects.values_list("organisation__kind", flat=True))
    assert {"social_org", "charity", "company", "procuratorate", "court"} <= kinds
    assert PartnerProfile.objects.filter(organisation__kind="social_org").count() >= 5
    assert Training.objects.filter(attendance__isnull=False).exists()
    assert Allocation.objects.filter(status="confirmed").exists()
    assert Allocation.objects.filter(status="proposed").exists()


def test_demo_community_made_once(demo):
    before = Activity.objects.count()
    assert community.load() == {}
    generator.generate("small")
    assert Activity.objects.count() == before
