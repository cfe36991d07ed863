"""The link review pages: the queue, the side-by-side comparison, the two buttons; scope 404,
roles 403, audited views, pinned query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huhang.core.models import AuditEvent
from huhang.screening.models import LinkReview, LinkStatus
from tests.factories.base import DivisionFactory
from tests.factories.screening import LinkReviewFactory

FULL_ID = "150203201405170011"


def review(division: str = "150203005001", n: int = 1, **more) -> LinkReview:
    """張偉 of the student register, routed to `division`, and 张伟 of the population register
    (the same name written two ways, born the same day: 2014-05-17)."""
    return LinkReviewFactory(
        division=DivisionFactory(code=division),
        row=n + 1,
        name="張偉",
        candidate_name="张伟",
        candidate_id_number=FULL_ID,
        **more,
    )


@pytest.mark.parametrize("who", ["supervisor", "bureau"])
def test_the_queue_lists_open_reviews_in_scope(tree, users, login, who):
    mine = review(n=1)
    village = review("150203100201", n=2)
    done = review(n=3, status=LinkStatus.LINKED, resolved_by=users["bureau"])
    page = login(users[who]).get(reverse("screening:link_list"))
    assert page.status_code == 200
    listed = {r.pk for r in page.context["page"]}
    # A supervisor sees its street only; the bureau the district; decided ones are filtered out.
    assert listed == ({mine.pk, village.pk} if who == "bureau" else {mine.pk})
    assert done.pk not in listed
    assert AuditEvent.objects.filter(action="search", object_type="linkreview").count() == 1
    all_of_them = login(users[who]).get(reverse("screening:link_list"), {"status": ""})
    assert done.pk in {r.pk for r in all_of_them.context["page"]}


def test_the_queue_query_count_does_not_grow(tree, users, login, django_assert_num_queries):
    client = login(users["bureau"])
    for n in range(3):
        review(n=n)
    url = reverse("screening:link_list")
    client.get(url)  # warm the session
    # ... the audit event is 3 queries (lock the chain's head, insert, move it)
    with django_assert_num_queries(11) as few:
        client.get(url)
    for n in range(3, 15):
        review(n=n)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_the_htmx_request_gets_the_results_only(tree, users, login):
    review()
    page = login(users["bureau"]).get(reverse("screening:link_list"), HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert 'id="results"' in body and "<html" not in body


def test_the_detail_compares_side_by_side_with_the_id_masked(tree, users, login):
    r = review()
    page = login(users["supervisor"]).get(reverse("screening:link_detail", args=[r.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "張偉" in body and "张伟" in body and "2014-05-17" in body
    assert FULL_ID not in body and "0011" in body and FULL_ID[:14] not in body
    assert "昆都仑区第一小学" in body
    # 張偉 and 张伟 are one name written two ways; the place and birth date agree too.
    assert [r["same"] for r in page.context["rows"]] == [True, True, True, True, True, None]
    assert body.count(reverse("screening:link_resolve", args=[r.pk])) == 2
    event = AuditEvent.objects.get(action="view", object_type="linkreview")
    assert event.object_id == str(r.pk)


@pytest.mark.parametrize(("decision", "status"), [("same", "linked"), ("distinct", "distinct")])
def test_the_two_buttons(tree, users, login, decision, status):
    r = review()
    client = login(users["supervisor"])
    url = reverse("screening:link_resolve", args=[r.pk])
    answer = client.post(url, {"decision": decision})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("screening:link_detail", args=[r.pk])
    r.refresh_from_db()
    assert (r.status, r.resolved_by) == (status, users["supervisor"])
    page = client.get(answer["Location"])
    assert url not in page.content.decode()  # decided: no buttons any more


def test_a_second_decision_is_refused(tree, users, login):
    r = review()
    login(users["supervisor"]).post(
        reverse("screening:link_resolve", args=[r.pk]), {"decision": "same"}
    )
    again = login(users["bureau"]).post(
        reverse("screening:link_resolve", args=[r.pk]), {"decision": "distinct"}
    )
    assert again.status_code == 409
    assert "已由他人处理" in again.content.decode()
    r.refresh_from_db()
    assert r.status == LinkStatus.LINKED and r.resolved_by == users["supervisor"]


def test_a_bad_decision_changes_nothing(tree, users, login):
    r = review()
    answer = login(users["supervisor"]).post(
        reverse("screening:link_resolve", args=[r.pk]), {"decision": "maybe"}
    )
    assert answer.status_code == 400
    r.refresh_from_db()
    assert r.status == LinkStatus.OPEN


def test_out_of_scope_is_404(tree, users, login):
    village = review("150203100201")
    client = login(users["supervisor"])
    assert client.get(reverse("screening:link_detail", args=[village.pk])).status_code == 404
    url = reverse("screening:link_resolve", args=[village.pk])
    assert client.post(url, {"decision": "same"}).status_code == 404
    assert client.get(reverse("screening:link_detail", args=[99999])).status_code == 404
    village.refresh_from_db()
    assert village.status == LinkStatus.OPEN


@pytest.mark.parametrize("role", ["director", "auditor", "dataofficer", "socialworker", "partner"])
def test_other_roles_are_403(tree, users, login, role):
    r = review()
    client = login(users[role])
    assert client.get(reverse("screening:link_list")).status_code == 403
    assert client.get(reverse("screening:link_detail", args=[r.pk])).status_code == 403
    url = reverse("screening:link_resolve", args=[r.pk])
    assert client.post(url, {"decision": "same"}).status_code == 403


def test_anonymous_is_sent_to_login(tree, client):
    r = review()
    answer = client.get(reverse("screening:link_detail", args=[r.pk]))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_wrong_methods(tree, users, login):
    r = review()
    client = login(users["supervisor"])
    assert client.get(reverse("screening:link_resolve", args=[r.pk])).status_code == 405
    assert client.post(reverse("screening:link_detail", args=[r.pk])).status_code == 405
