"""Query counts of the list pages are pinned: they do not grow with the number of rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from huhang.community.activities import services as activities
from huhang.community.partners import services as partners
from huhang.community.trainings import services as trainings
from tests.community.conftest import approve
from tests.factories import ChildFactory, PersonFactory


@pytest.fixture
def many(users, tree, stations, orgs, partner_profile):
    sup = users["supervisor"]
    for i in range(5):
        a = activities.activity_create(
            by=sup,
            station=stations["street"],
            title=f"活动{i}",
            kind="festival",
            held_on=date(2026, 5, 1 + i),
            capacity=10,
            partners=[orgs["partner"]],
        )
        for j in range(3):
            child = ChildFactory(
                person=PersonFactory(name=f"童{i}{j}", birth_date=date(2016, 1, 1 + j)),
                division=tree["c1"],
            )
            approve(child, "difficulty")
            activities.enrolment_add(by=sup, activity=a, child=child)
        partners.resource_create(
            by=users["bureau"],
            partner=orgs["partner"],
            kind="goods",
            title=f"资源{i}",
            quantity=3,
            available_on=date(2026, 8, 1),
        )
        trainings.training_create(
            by=users["bureau"],
            topic=f"培训{i}",
            held_on=date(2026, 1, 1 + i),
            trainer="张",
            hours=2,
            division=tree["district"],
            attendees=[users["director"], sup],
            today=date(2026, 6, 1),
        )


# Every page: session and user, the header's division or organisation, the session's refresh
# (savepoint, update, release) = 6; then the page's own: a count and one query of rows with
# their counts as subqueries (the project list has no pager: one query).
PAGES = [
    ("station_list", "supervisor", 8),
    ("activity_list", "supervisor", 8),
    ("activity_list", "partner", 8),
    ("training_list", "bureau", 8),
    ("training_people", "bureau", 8),
    ("partner_list", "bureau", 8),
    ("resource_list", "bureau", 8),
    ("resource_list", "partner", 8),
    ("project_list", "bureau", 7),
]


@pytest.mark.parametrize(("page", "role", "queries"), PAGES)
def test_list_query_counts(users, many, login, django_assert_num_queries, page, role, queries):
    client = login(users[role])
    with django_assert_num_queries(queries):
        response = client.get(reverse(f"community:{page}"))
    assert response.status_code == 200


def test_activity_detail_query_count_does_not_grow(
    users, many, login, django_assert_max_num_queries
):
    from huhang.community.models import Activity

    client = login(users["supervisor"])
    activity = Activity.objects.order_by("pk").first()
    with django_assert_max_num_queries(16):
        assert (
            client.get(reverse("community:activity_detail", args=[activity.pk])).status_code == 200
        )
