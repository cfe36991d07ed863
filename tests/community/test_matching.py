"""Matching a resource to eligible children: approved category in effect, age on the resource's
date, community within the resource's divisions and the user's scope; limited to the quantity,
ordered by fewest earlier receipts, orphans/DFUC first, older first. Confirmation records
what each child received; the archive shows it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from huhang.community.models import Allocation, Resource
from huhang.community.partners import selectors as partners_read
from huhang.community.partners import services as partners
from huhang.core.exceptions import DomainError, InvalidTransition
from huhang.core.models import AuditEvent
from tests.community.conftest import approve
from tests.factories import CategoryFactory, ChildFactory, PersonFactory
from tests.factories.community import AllocationFactory

DAY = date(2026, 8, 1)


def _child(tree, name, birth, division="c1", category="difficulty"):
    child = ChildFactory(
        person=PersonFactory(name=name, sex="M", birth_date=birth), division=tree[division]
    )
    if category:
        approve(child, category)
    return child


@pytest.fixture
def camp(users, tree, orgs):
    """Summer camp on 2026-08-01 for children aged 8–12 of 友谊大街街道, 孤儿/困境儿童, 3 places."""
    return partners.resource_create(
        by=users["bureau"],
        partner=orgs["partner"],
        kind="camp",
        title="草原夏令营",
        quantity=3,
        available_on=DAY,
        min_age=8,
        max_age=12,
        categories=["orphan", "difficulty"],
        divisions=[tree["street"]],
        per_child="五天营地",
    )


def names(qs):
    return [c.person.name for c in qs]


def test_category_age_and_community(users, tree, camp):
    _child(tree, "合格甲", date(2016, 3, 1))  # 10
    _child(tree, "八岁当天", date(2018, 8, 1))  # 8 on the very day: in
    _child(tree, "差一天八岁", date(2018, 8, 2))  # 7 on the day: out
    _child(tree, "十三岁当天", date(2013, 8, 1))  # 13 on the day: out
    _child(tree, "十二岁末", date(2013, 8, 2))  # still 12: in
    _child(tree, "留守", date(2016, 1, 1), category="left_behind")  # wrong category
    _child(tree, "无类别", date(2016, 1, 1), category=None)
    _child(tree, "村里", date(2016, 1, 1), division="village")  # outside the divisions
    cand = _child(tree, "待核实", date(2016, 1, 1), category=None)
    CategoryFactory(child=cand, category="orphan")  # a candidate, not approved
    got = names(partners_read.matching_children(user=users["bureau"], resource=camp))
    assert sorted(got) == sorted(["合格甲", "八岁当天", "十二岁末"])


def test_limited_and_ordered(users, tree, orgs, camp):
    young = _child(tree, "小", date(2018, 1, 1))
    old = _child(tree, "大", date(2014, 1, 1))
    orphan = _child(tree, "孤", date(2017, 1, 1), category="orphan")
    helped = _child(tree, "已助", date(2013, 9, 1))
    extra = _child(tree, "多", date(2016, 1, 1))
    earlier = partners.resource_create(
        by=users["bureau"],
        partner=orgs["partner"],
        kind="goods",
        title="书包",
        quantity=1,
        available_on=date(2026, 3, 1),
    )
    AllocationFactory(resource=earlier, child=helped, confirmed=True)
    got = list(partners_read.matching_children(user=users["bureau"], resource=camp))
    # Never helped first; among them the orphan, then the older; three places.
    assert got == [orphan, old, extra]
    assert young not in got and helped not in got


def test_scope_of_the_matching_user(users, tree, camp):
    _child(tree, "一社区", date(2016, 1, 1), division="c1")
    _child(tree, "二社区", date(2016, 1, 1), division="c2")
    assert names(partners_read.matching_children(user=users["director"], resource=camp)) == [
        "一社区"
    ]
    assert len(partners_read.matching_children(user=users["supervisor"], resource=camp)) == 2


def test_propose_then_confirm_after_removing_one(users, tree, camp, login):
    kids = [_child(tree, f"童{i}", date(2015, 1, 1 + i)) for i in range(4)]
    sup = users["supervisor"]
    assert partners.resource_propose(by=sup, resource=camp) == 3
    proposed = list(Allocation.objects.filter(resource=camp).order_by("rank"))
    assert [a.child for a in proposed] == kids[:3]
    keep = {proposed[0].pk, proposed[2].pk}
    client = login(sup)
    response = client.post(
        reverse("community:resource_confirm", args=[camp.pk]),
        {"keep": [str(k) for k in keep], "received_on": "2026-08-01"},
    )
    assert response.status_code == 302
    confirmed = Allocation.objects.filter(resource=camp, status="confirmed")
    assert {a.child for a in confirmed} == {kids[0], kids[2]}
    assert not Allocation.objects.filter(resource=camp, status="proposed").exists()
    assert all(a.received_on == DAY and a.confirmed_by == sup for a in confirmed)
    camp.refresh_from_db()
    assert camp.status == "confirmed"
    # One place left: a new proposal offers exactly one child, not one already on the list.
    assert partners.resource_propose(by=sup, resource=camp) == 1
    assert Allocation.objects.get(resource=camp, status="proposed").child in (kids[1], kids[3])
    # The archive shows what the child received.
    html = client.get(reverse("workbench:child_detail", args=[kids[0].pk])).content.decode()
    assert "草原夏令营" in html and "五天营地" in html


def test_confirm_more_than_quantity_refused(users, tree, camp):
    for i in range(3):
        _child(tree, f"童{i}", date(2015, 1, 1 + i))
    partners.resource_propose(by=users["bureau"], resource=camp)
    ids = set(Allocation.objects.filter(resource=camp).values_list("pk", flat=True))
    partners.resource_confirm(by=users["bureau"], resource=camp, keep=set(list(ids)[:2]))
    _child(tree, "后来", date(2015, 5, 1))
    partners.resource_propose(by=users["bureau"], resource=camp)
    proposed = set(
        Allocation.objects.filter(resource=camp, status="proposed").values_list("pk", flat=True)
    )
    camp.quantity = 2
    camp.save()
    with pytest.raises(DomainError, match="超出资源数量"):
        partners.resource_confirm(by=users["bureau"], resource=camp, keep=proposed)


def test_partner_sees_list_without_surnames(users, tree, camp, login):
    kid = _child(tree, "欧阳娜娜", date(2015, 1, 1))
    partners.resource_propose(by=users["bureau"], resource=camp)
    html = (
        login(users["partner"])
        .get(reverse("community:resource_detail", args=[camp.pk]))
        .content.decode()
    )
    assert "娜娜" in html and "欧阳" not in html
    assert kid.person.id_number not in html
    assert 'name="keep"' not in html


def test_director_cannot_match(users, camp, login):
    url = reverse("community:resource_propose", args=[camp.pk])
    assert login(users["director"]).post(url).status_code == 403


def test_second_close_is_refused(users, tree, camp):
    """Closing an already closed resource (a stale page, a second click) is refused and leaves
    no second record of closing."""
    _child(tree, "童", date(2015, 1, 1))
    partners.resource_propose(by=users["bureau"], resource=camp)
    stale = Resource.objects.get(pk=camp.pk)
    partners.resource_close(by=users["bureau"], resource=camp)
    with pytest.raises(InvalidTransition):
        partners.resource_close(by=users["bureau"], resource=stale)
    closes = AuditEvent.objects.filter(object_type="resource", detail__status="closed")
    assert closes.count() == 1


def test_confirm_refused_when_the_list_changed_under_it(users, tree, camp):
    """Another officer rebuilds or closes the list while a confirmation is between reading it
    and writing it: the confirmation must not report children as helped whom it never
    confirmed. (The other officer's write is played just before the confirmation's UPDATE.)"""
    for i in range(2):
        _child(tree, f"童{i}", date(2015, 1, 1 + i))
    partners.resource_propose(by=users["bureau"], resource=camp)
    keep = set(Allocation.objects.filter(resource=camp).values_list("pk", flat=True))
    played = []

    def other_officer(execute, sql, params, many, context):
        if not played and sql.startswith('UPDATE "community_allocation"'):
            played.append(sql)
            Allocation.objects.filter(resource=camp, status="proposed").delete()
        return execute(sql, params, many, context)

    before = AuditEvent.objects.count()
    with connection.execute_wrapper(other_officer), pytest.raises(InvalidTransition):
        partners.resource_confirm(by=users["bureau"], resource=camp, keep=keep)
    assert played
    assert not Allocation.objects.filter(resource=camp, status="confirmed").exists()
    assert AuditEvent.objects.count() == before
