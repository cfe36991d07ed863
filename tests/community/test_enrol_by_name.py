"""Enrolment by name or pinyin search (not the internal archive number), and partners telling
two children of the same given name apart (given name, age and community)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from huhang.community.activities import services as activities
from huhang.community.models import Enrolment
from tests.factories import ChildFactory, PersonFactory


def test_the_page_has_no_archive_number_box_and_finds_by_pinyin(users, children, activity, login):
    client = login(users["supervisor"])
    url = reverse("community:activity_detail", args=[activity.pk])
    html = client.get(url).content.decode()
    assert "儿童档案号" not in html
    assert 'name="enrol_q"' in html
    html = client.get(url, {"enrol_q": "wxh"}).content.decode()
    found = html[html.index('id="enrol-found"') :].split("</ul>")[0]
    assert "王小海" in found and "友谊一社区" in found
    assert f'name="child" value="{children["xiaohai"].pk}"' in found
    assert (
        "张伟"
        not in client.get(url, {"enrol_q": "李"})
        .content.decode()
        .split('id="enrol-found"')[1]
        .split("</ul>")[0]
    )

    response = client.post(
        reverse("community:activity_enrol", args=[activity.pk]),
        {"child": children["xiaohai"].pk, "reason": ""},
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(activity=activity, child=children["xiaohai"]).exists()


def test_a_partner_tells_two_children_called_hang_apart(users, tree, activity, login):
    older = ChildFactory(
        person=PersonFactory(name="王航", sex="M", birth_date=date(2011, 3, 1)), division=tree["c1"]
    )
    younger = ChildFactory(
        person=PersonFactory(name="李航", sex="M", birth_date=date(2013, 3, 1)), division=tree["c2"]
    )
    for child in (older, younger):
        activities.enrolment_add(
            by=users["supervisor"], activity=activity, child=child, reason="兄弟活动"
        )
    html = login(users["partner"]).get(reverse("community:activity_detail", args=[activity.pk]))
    rows = html.content.decode().split('id="enrolments"')[1].split("</tbody>")[0]
    assert "王航" not in rows and "李航" not in rows
    first, second = rows.split("<tbody>")[1].split("<tr>")[1:3]
    assert "航" in first and "15岁" in first and "友谊一社区" in first
    assert "航" in second and "13岁" in second and "友谊二社区" in second
