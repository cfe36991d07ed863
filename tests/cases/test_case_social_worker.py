"""The social worker's narrowed view: only the cases of its organisation's projects, and the
services it records count on the project."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from huhang.cases import services
from huhang.cases.models import ServiceRecord
from tests.factories.base import OrganisationFactory
from tests.factories.cases import ServiceProjectFactory


@pytest.fixture
def projects(orgs):
    other = OrganisationFactory(name="阳光社工事务所", kind=orgs["sw"].kind)
    return {
        "ours": ServiceProjectFactory(name="童心有梦", contractor=orgs["sw"]),
        "theirs": ServiceProjectFactory(name="阳光成长", contractor=other),
    }


def _open(users, child, project=None):
    return services.case_open(
        by=users["supervisor"],
        child=child,
        source="worker",
        summary="入户发现",
        project=project,
    )


@pytest.fixture
def cases(users, children, projects):
    return {
        "ours": _open(users, children["xiaohai"], projects["ours"]),
        "none": _open(users, children["xiaohai"]),
        "theirs": _open(users, children["c2"], projects["theirs"]),
    }


def detail(case):
    return reverse("cases:case_detail", args=[case.pk])


def test_social_worker_sees_its_projects_case_only(users, cases, login):
    client = login(users["socialworker"])
    assert client.get(detail(cases["ours"])).status_code == 200
    assert client.get(detail(cases["none"])).status_code == 404
    assert client.get(detail(cases["theirs"])).status_code == 404


def test_social_worker_list_holds_only_its_cases(users, cases, login):
    response = login(users["socialworker"]).get(reverse("cases:case_list"))
    assert [c.pk for c in response.context["page"]] == [cases["ours"].pk]
    body = response.content.decode()
    assert detail(cases["none"]) not in body and detail(cases["theirs"]) not in body


def test_social_worker_cannot_act_on_other_cases(users, cases, login):
    client = login(users["socialworker"])
    data = {"note": "x", "reason": "x"}
    for name in ["case_review", "case_request_closure", "case_assess", "referral_send"]:
        assert client.post(reverse(f"cases:{name}", args=[cases["none"].pk]), data).status_code == (
            404
        ), name
    assert cases["none"].events.count() == 1


def test_social_worker_records_a_service_that_counts_on_the_project(users, cases, projects, login):
    case = cases["ours"]
    today = timezone.localdate()
    scores = dict.fromkeys(["safety", "health", "education", "family", "living", "support"], 0)
    services.assessment_record(
        by=users["socialworker"], case=case, assessed_on=today, scores={**scores, "psychology": 2}
    )
    plan = services.plan_draft(
        by=users["socialworker"],
        case=case,
        goals="缓解孤僻",
        actions=[{"action": "心理疏导", "responsible": "童心有梦", "due_on": today}],
    )
    services.plan_approve(by=users["supervisor"], plan=plan)
    client = login(users["socialworker"])
    url = reverse("cases:case_service", args=[case.pk])
    for minutes in ("50", "70"):
        data = {"kind": "counselling", "delivered_on": today.isoformat(), "minutes": minutes}
        assert client.post(url, data).status_code == 302
    records = ServiceRecord.objects.filter(project=projects["ours"])
    assert records.count() == 2
    assert records.aggregate(total=Sum("minutes"))["total"] == 120
    assert set(records.values_list("worker", flat=True)) == {users["socialworker"].pk}
    assert not ServiceRecord.objects.filter(project=projects["theirs"]).exists()
    case.refresh_from_db()
    assert case.status == "in_service"
    body = client.get(detail(case)).content.decode()
    assert "合计 2.0 小时" in body


def test_social_worker_cannot_approve(users, cases, login):
    case = cases["ours"]
    services.case_request_closure(by=users["supervisor"], case=case, reason="无需服务")
    client = login(users["socialworker"])
    assert client.post(reverse("cases:case_approve_closure", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.status == "closing"
