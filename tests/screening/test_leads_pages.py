"""The leads pages: roles, scope (404 outside), the workflow through the forms, the evidence in
words, audit of every view, filters, pagination and pinned query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huhang.core.models import AuditEvent
from huhang.core.roles import Role
from huhang.registry.models import CategoryAssignment, Child
from huhang.screening.models import Lead
from tests.factories.base import UserFactory
from tests.factories.screening import EVIDENCE_WORDS, LeadFactory
from tests.screening.test_leads_support import NEW_CHILD

pytestmark = pytest.mark.usefixtures("pinned_clock")

LIST = reverse("screening:lead_list")


def detail(lead):
    return reverse("screening:lead_detail", args=[lead.pk])


def step(lead, name):
    return reverse(f"screening:lead_{name}", args=[lead.pk])


@pytest.fixture
def leads(tree, children):
    return {
        "mine": LeadFactory(division=tree["c1"], child=children["xiaohai"], kind="orphan"),
        "c2": LeadFactory(division=tree["c2"], child=children["c2"], kind="left_behind"),
        "village": LeadFactory(division=tree["village"], child=children["village"], kind="dfuc"),
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("bureau", 200),
        ("supervisor", 200),
        ("director", 200),
        ("socialworker", 403),
        ("partner", 403),
        ("dataofficer", 403),
        ("auditor", 403),
    ],
)
def test_list_roles(role, status, users, login):
    assert login(users[role]).get(LIST).status_code == status


def test_anonymous_is_sent_to_login(client, leads):
    response = client.get(detail(leads["mine"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_each_user_lists_the_leads_of_its_area(users, leads, login):
    def names(role):
        page = login(users[role]).get(LIST).context["page"]
        return {lead.pk for lead in page}

    assert names("director") == {leads["mine"].pk}
    assert names("supervisor") == {leads["mine"].pk, leads["c2"].pk}
    assert names("bureau") == {lead.pk for lead in leads.values()}


def test_list_shows_cards_with_kind_age_community_and_flag(users, tree, login):
    LeadFactory(
        division=tree["street"],
        region_code=tree["street"].code + "099",
        region_flagged=True,
        **NEW_CHILD,
    )
    body = login(users["supervisor"]).get(LIST).content.decode()
    assert "赵小新" in body and "疑似孤儿" in body and "友谊大街街道" in body
    assert tree["street"].code + "099" in body and "不在本系统区划中" in body
    assert AuditEvent.objects.filter(object_type="lead", action="search").exists()


def test_filters_by_kind_and_status(users, leads, login):
    client = login(users["bureau"])
    Lead.objects.filter(pk=leads["c2"].pk).update(status="verified")
    by_kind = client.get(LIST, {"kind": "dfuc"}).context["page"]
    assert [lead.pk for lead in by_kind] == [leads["village"].pk]
    by_status = client.get(LIST, {"status": "verified"}).context["page"]
    assert [lead.pk for lead in by_status] == [leads["c2"].pk]
    # "待我处理" for the bureau: reviewed leads (none yet) and new ones routed to the district.
    assert list(client.get(LIST, {"status": "todo"}).context["page"]) == []
    supervisor = login(users["supervisor"]).get(LIST, {"status": "todo"}).context["page"]
    assert [lead.pk for lead in supervisor] == [leads["c2"].pk]


def test_htmx_request_gets_only_the_results(users, leads, login):
    response = login(users["bureau"]).get(LIST, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="results"' in body and "<html" not in body


def test_pagination(users, tree, login, settings):
    settings.HUHANG_PAGE_SIZE = 2
    LeadFactory.create_batch(5, division=tree["c1"], kind="migrant", birth_date=date(2016, 1, 1))
    client = login(users["director"])
    page = client.get(LIST, {"page": 3}).context["page"]
    assert page.number == 3 and len(page) == 1 and page.paginator.count == 5


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_pinned_and_does_not_grow(
    users, tree, login, django_assert_num_queries
):
    client = login(users["supervisor"])
    LeadFactory(division=tree["c1"])
    client.get(LIST)  # warm the session
    # session, user, user's division (menu), audit (3), count, page rows with their
    # division, then the session's save (savepoint, update, release).
    with django_assert_num_queries(11):
        client.get(LIST)
    few = _queries(client)
    LeadFactory.create_batch(
        12, division=tree["c2"], kind="left_behind", birth_date=date(2015, 1, 1)
    )
    assert _queries(client) == few


# --- Detail -------------------------------------------------------------------------------------


def test_detail_shows_evidence_in_words_full_id_and_is_audited(users, leads, login):
    lead = leads["mine"]
    response = login(users["director"]).get(detail(lead))
    assert response.status_code == 200
    body = response.content.decode()
    assert EVIDENCE_WORDS in body
    assert lead.id_number in body  # directors may see full ID numbers (registry.full_id)
    assert step(lead, "verify") in body and step(lead, "reject") in body
    assert step(lead, "approve") not in body
    # In the child's own trail (its archive number), naming the lead.
    event = AuditEvent.objects.get(object_type="child", action="view")
    assert event.object_id == str(lead.child_id) and event.detail == {"lead": lead.pk}
    assert event.username == "director"
    assert lead.id_number not in event.object_label  # the trail keeps it masked


def test_detail_of_an_unregistered_child_offers_registration_prefilled(users, tree, login):
    lead = LeadFactory(division=tree["c1"], **NEW_CHILD)
    body = login(users["director"]).get(detail(lead)).content.decode()
    assert "尚未建档" in body and 'value="赵小新"' in body and lead.id_number in body
    event = AuditEvent.objects.get(object_type="lead", object_id=str(lead.pk), action="view")
    assert event.detail["child"] is None and lead.id_number not in event.object_label


@pytest.mark.parametrize("name", ["detail", "verify", "review", "approve", "reject"])
def test_outside_the_scope_is_404(name, users, tree, login):
    # Each step's role, looking at a lead of another area: it does not exist for them.
    town_bureau = UserFactory(username="town", role=Role.BUREAU, division=tree["town"])
    user = {"review": users["supervisor"], "approve": town_bureau}.get(name, users["director"])
    step_reached = {"review": {"verified": True}, "approve": {"reviewed": True}}.get(name, {})
    lead = LeadFactory(division=tree["c2"] if name != "approve" else tree["c1"], **step_reached)
    if name == "review":
        lead = LeadFactory(division=tree["village"], kind="dfuc", verified=True)
    client = login(user)
    url = detail(lead) if name == "detail" else step(lead, name)
    assert client.get(url).status_code == 404
    if name != "detail":
        assert client.post(url, {"note": "x", "reason": "x"}).status_code == 404
    assert client.get(reverse("screening:lead_detail", args=[999999])).status_code == 404
    assert Lead.objects.get(pk=lead.pk).decided_by is None


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("director", "review"),
        ("director", "approve"),
        ("supervisor", "approve"),
        ("socialworker", "verify"),
        ("partner", "detail"),
        ("auditor", "reject"),
    ],
)
def test_wrong_role_is_403(role, name, users, leads, login):
    lead = leads["mine"]
    url = detail(lead) if name == "detail" else step(lead, name)
    assert login(users[role]).post(url, {"note": "x", "reason": "x"}).status_code in (403, 405)
    assert login(users[role]).get(url).status_code == 403
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_director_may_not_reject_a_verified_lead(users, leads, login):
    lead = leads["mine"]
    Lead.objects.filter(pk=lead.pk).update(status="verified")
    assert login(users["director"]).post(step(lead, "reject"), {"reason": "x"}).status_code == 403


def test_wrong_method_is_405(users, leads, login):
    client = login(users["director"])
    assert client.put(step(leads["mine"], "verify")).status_code == 405
    assert client.post(detail(leads["mine"])).status_code == 405
    assert client.post(LIST).status_code == 405


# --- The workflow through the pages -------------------------------------------------------------


def test_whole_workflow_director_supervisor_bureau(users, tree, login):
    lead = LeadFactory(division=tree["c1"], kind="orphan", **NEW_CHILD)
    director = login(users["director"])
    response = director.post(
        step(lead, "verify"),
        {
            "name": "赵小新",
            "id_number": lead.id_number,
            "sex": "M",
            "birth_date": "2017-05-04",
            "division": tree["c1"].pk,
            "address": "友谊一社区5号楼",
            "note": "入户走访：父母均已故，随祖母生活",
            "version": 1,
        },
    )
    assert response.status_code == 302 and response["Location"] == detail(lead)
    lead.refresh_from_db()
    assert lead.status == "verified" and lead.child.address == "友谊一社区5号楼"

    supervisor = login(users["supervisor"])
    assert supervisor.post(step(lead, "review"), {"note": "同意", "version": 2}).status_code == 302
    bureau = login(users["bureau"])
    page = bureau.get(detail(lead)).content.decode()
    assert step(lead, "approve") in page and "同意" in page and "入户走访" in page
    assert bureau.post(step(lead, "approve"), {"version": 3}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == "approved" and lead.assignment.status == "approved"
    body = bureau.get(detail(lead)).content.decode()
    assert "批准" in body and users["bureau"].display_name in body
    # A second approval (e.g. a second tab) is refused with a message, nothing changes.
    again = bureau.post(step(lead, "approve"), {"version": 3})
    assert again.status_code == 200 and "只有已复核的线索可以审批" in again.content.decode()
    assert CategoryAssignment.objects.filter(child=lead.child).count() == 1


def test_verification_with_invalid_registration_shows_errors_and_saves_nothing(users, tree, login):
    lead = LeadFactory(division=tree["c1"], **NEW_CHILD)
    response = login(users["director"]).post(
        step(lead, "verify"),
        {
            "name": "赵小新",
            "id_number": "150203201705040771",
            "sex": "M",
            "birth_date": "2017-05-04",
            "division": tree["c1"].pk,
            "note": "走访",
            "version": 1,
        },
    )
    assert response.status_code == 200
    assert response.context["step_form"].errors
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert not Child.objects.filter(person__name="赵小新").exists()


def test_reject_needs_a_reason_on_the_page(users, leads, login):
    lead = leads["mine"]
    client = login(users["director"])
    response = client.post(step(lead, "reject"), {"reason": "", "version": 1})
    assert response.status_code == 200 and response.context["reject_form"].errors
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert (
        client.post(step(lead, "reject"), {"reason": "查无此人", "version": 1}).status_code == 302
    )
    lead.refresh_from_db()
    assert lead.status == "rejected" and lead.reject_reason == "查无此人"
    assert "查无此人" in client.get(detail(lead)).content.decode()


def test_refused_approval_shows_the_registrys_reason(users, children, tree, login):
    lead = LeadFactory(
        division=tree["c1"], child=children["xiaohai"], kind="deceased", reviewed=True
    )
    response = login(users["bureau"]).post(step(lead, "approve"), {"version": lead.version})
    assert response.status_code == 200
    assert "没有可终止的类别认定" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == "reviewed"


def test_stale_form_is_refused(users, leads, login):
    lead = leads["mine"]
    client = login(users["director"])
    response = client.post(step(lead, "verify"), {"note": "走访", "version": 7})
    assert response.status_code == 200 and "已被他人处理" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == "new"
