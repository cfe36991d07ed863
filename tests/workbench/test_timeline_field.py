"""The child's timeline shows a visit's photos on the visit's entry, and a service names the
purchased-service project that delivered it (e.g. 童心有梦 for 王小海's counselling)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huhang.cases.visits.services import visit_record
from tests.cases.test_visit_record import PNG
from tests.factories.cases import CaseFactory, ServiceProjectFactory, ServiceRecordFactory


def test_a_visits_photos_are_on_its_timeline_entry(users, children, login):
    child = children["xiaohai"]
    visit = visit_record(
        by=users["director"],
        child=child,
        visited_on=child.registered_at.date(),
        findings="孩子状态良好",
        photos=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
    )
    document = visit.photos.get().document
    html = login(users["director"]).get(reverse("workbench:child_detail", args=[child.pk]))
    page = html.content.decode()
    timeline = page[page.index('id="timeline"') :]
    entry = timeline[timeline.index("孩子状态良好") :].split("</li>")[0]
    src = reverse("registry:document_download", args=[document.pk])
    assert f'<img src="{src}"' in entry and f'alt="{document.title}"' in entry


def test_a_service_names_its_project(users, children, orgs, login):
    project = ServiceProjectFactory(name="童心有梦", contractor=orgs["sw"])
    case = CaseFactory(child=children["xiaohai"], opened_by=users["director"], project=project)
    ServiceRecordFactory(case=case, project=project, note="第一次心理疏导")
    page = login(users["director"]).get(
        reverse("workbench:child_detail", args=[children["xiaohai"].pk])
    )
    timeline = page.content.decode()
    timeline = timeline[timeline.index('id="timeline"') :]
    assert "服务：心理疏导 60分钟（童心有梦）" in timeline
