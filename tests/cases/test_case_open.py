"""Opening a case for a child: /cases/new/?child=<pk>, scope, roles and bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huhang.cases.models import Case, CaseEvent
from huhang.registry.models import ChildAssignment
from tests.factories.base import OrganisationFactory
from tests.factories.cases import ServiceProjectFactory


@pytest.fixture
def project(orgs):
    return ServiceProjectFactory(name="童心有梦", contractor=orgs["sw"], target_hours=200)


def new_url(child) -> str:
    return reverse("cases:case_create") + f"?child={child.pk}"


DATA = {
    "source": "family",
    "source_detail": "母亲到社区求助",
    "summary": "父亲去世后随母亲搬入30平方米旧房，孩子沉默寡言。",
}


def test_director_opens_a_case_for_a_child_of_its_community(users, children, login):
    child = children["xiaohai"]
    response = login(users["director"]).post(new_url(child), DATA)
    case = Case.objects.get(child=child)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.status == "open" and case.opened_by == users["director"]
    assert case.source_detail == "母亲到社区求助" and case.project is None
    event = CaseEvent.objects.get(case=case)
    assert (event.from_status, event.to_status, event.by) == ("", "open", users["director"])


def test_form_page_names_the_child_and_offers_all_projects(users, children, project, login):
    ServiceProjectFactory(name="阳光助学", contractor=project.contractor)
    body = login(users["director"]).get(new_url(children["xiaohai"])).content.decode()
    assert "王小海" in body and "开案" in body
    assert "童心有梦" in body and "阳光助学" in body


def test_case_with_a_project_entrusts_the_child_to_its_contractor(users, children, project, login):
    child = children["c2"]  # 李梅: not yet assigned to any organisation
    assert not ChildAssignment.objects.filter(child=child).exists()
    login(users["supervisor"]).post(new_url(child), {**DATA, "project": project.pk})
    case = Case.objects.get(child=child)
    assert case.project == project
    assert ChildAssignment.objects.filter(child=child, organisation=project.contractor).exists()


def test_child_outside_the_scope_is_404(users, children, login):
    client = login(users["director"])  # 友谊一社区
    assert client.get(new_url(children["village"])).status_code == 404
    assert client.post(new_url(children["village"]), DATA).status_code == 404
    assert client.get(reverse("cases:case_create") + "?child=abc").status_code == 404
    assert client.get(reverse("cases:case_create")).status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["partner", "dataofficer", "auditor"])
def test_roles_without_case_work_get_403(role, users, children, login):
    response = login(users[role]).post(new_url(children["xiaohai"]), DATA)
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_summary_is_required(users, children, login):
    response = login(users["director"]).post(new_url(children["xiaohai"]), {**DATA, "summary": " "})
    assert response.status_code == 200
    assert "请填写基本情况。" in response.content.decode()
    assert not Case.objects.exists()


def test_risk_needs_a_reason(users, children, login):
    client = login(users["director"])
    response = client.post(new_url(children["xiaohai"]), {**DATA, "risk": "medium"})
    assert "请说明风险等级的理由。" in response.content.decode()
    assert not Case.objects.exists()
    client.post(new_url(children["xiaohai"]), {**DATA, "risk": "medium", "risk_reason": "独居"})
    assert Case.objects.get().risk_reason == "独居"


def test_wrong_method_is_405(users, children, login):
    client = login(users["director"])
    assert client.put(new_url(children["xiaohai"])).status_code == 405
    assert client.post(reverse("cases:case_list")).status_code == 405


def test_social_worker_must_choose_one_of_its_projects(users, children, project, orgs, login):
    other_org = OrganisationFactory(name="其他社工机构", kind=orgs["sw"].kind)
    other = ServiceProjectFactory(name="别家项目", contractor=other_org)
    client = login(users["socialworker"])
    body = client.get(new_url(children["xiaohai"])).content.decode()
    assert "童心有梦" in body and "别家项目" not in body
    assert (
        client.post(new_url(children["xiaohai"]), {**DATA, "project": other.pk}).status_code == 200
    )
    assert not Case.objects.exists()
    response = client.post(new_url(children["xiaohai"]), {**DATA, "project": project.pk})
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert client.get(response["Location"]).status_code == 200


def test_social_worker_cannot_open_for_a_child_not_entrusted(users, children, login):
    assert login(users["socialworker"]).get(new_url(children["c2"])).status_code == 404
