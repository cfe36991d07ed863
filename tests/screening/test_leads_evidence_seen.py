"""The approver sees the evidence the lead was verified on (the director's photos and notes) and
may add a note; division codes in the evidence read as the divisions' names."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huhang.screening.leads import services
from huhang.screening.leads.selectors import evidence_named
from tests.factories.screening import LeadFactory
from tests.screening.test_leads_services import PNG

pytestmark = pytest.mark.usefixtures("pinned_clock")


def test_the_approver_sees_the_photos_and_notes_and_adds_a_note(users, children, tree, login):
    lead = LeadFactory(division=tree["c1"], child=children["xiaohai"], kind="left_behind")
    photo = SimpleUploadedFile("visit.png", PNG, content_type="image/png")
    services.lead_verify(by=users["director"], lead=lead, note="父母均在外务工", documents=[photo])
    lead.refresh_from_db()
    services.lead_review(by=users["supervisor"], lead=lead, note="情况属实", version=lead.version)
    lead.refresh_from_db()
    document = lead.verify_documents.get()

    client = login(users["bureau"])
    html = client.get(reverse("screening:lead_detail", args=[lead.pk])).content.decode()
    assert "父母均在外务工" in html and "情况属实" in html
    src = reverse("registry:document_download", args=[document.pk])
    assert f'<img src="{src}"' in html
    assert 'name="note"' in html[html.index('id="next-step"') :]  # the approver may add a note

    response = client.post(
        reverse("screening:lead_approve", args=[lead.pk]),
        {"version": lead.version, "note": "同意认定，三个月后回访"},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == "approved" and lead.decision_note == "同意认定，三个月后回访"
    html = client.get(reverse("screening:lead_detail", args=[lead.pk])).content.decode()
    assert "同意认定，三个月后回访" in html


def test_division_codes_in_the_evidence_read_as_names(tree):
    lines = [
        "行政区划调整：数据中的区划代码 150203099001 已调整为 150203005001，按新代码分派",
        "教育学籍 第 12 行：在本区就读 150203005",
        "公安人口信息：父亲 死亡 2025-03-01 1502**********1234",
    ]
    named = evidence_named(lines)
    assert named[0].endswith("150203099001 已调整为 友谊一社区，按新代码分派")  # unknown stays
    assert named[1].endswith("友谊大街街道")
    assert named[2] == lines[2]  # dates and masked numbers untouched
