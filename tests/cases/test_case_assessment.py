"""The structured assessment: a score 0–3 and notes per domain, the documented risk rule, an
override only with a reason, and an alert for the supervisor when the risk becomes high."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from huhang.cases import services
from huhang.cases.models import Alert, Assessment, Domain

DOMAINS = [d.value for d in Domain]


@pytest.fixture
def case(users, children):
    return services.case_open(
        by=users["director"],
        child=children["xiaohai"],
        source="school",
        source_detail="友谊小学班主任",
        summary="孩子上课注意力不集中，放学后无人照看。",
    )


def form(scores: dict[str, int] | None = None, **extra) -> dict[str, object]:
    scores = {d: 0 for d in DOMAINS} | (scores or {})
    data: dict[str, object] = {"assessed_on": timezone.localdate().isoformat()}
    data |= {f"score_{d}": v for d, v in scores.items()}
    return data | extra


def assess_url(case):
    return reverse("cases:case_assess", args=[case.pk])


@pytest.mark.parametrize(
    "scores,expected",
    [
        ({}, "low"),
        ({"health": 1, "education": 1, "support": 1}, "low"),
        ({"psychology": 2}, "medium"),
        ({d: 1 for d in DOMAINS[:6]}, "medium"),  # total 6, no domain at 2
        ({"safety": 3}, "high"),
        ({"living": 3, "psychology": 2}, "high"),
    ],
)
def test_risk_follows_the_documented_rule(scores, expected, users, login, case):
    response = login(users["director"]).post(assess_url(case), form(scores))
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.computed_risk == expected and assessment.risk == expected
    case.refresh_from_db()
    assert case.status == "assessed" and case.risk == expected


def test_page_has_a_score_and_notes_per_domain_and_the_rule(users, login, case):
    body = login(users["director"]).get(assess_url(case)).content.decode()
    for domain in Domain:
        assert f'name="score_{domain.value}"' in body
        assert f'name="note_{domain.value}"' in body
        assert str(domain.label) in body
    assert "任一领域为 3 分：高风险" in body
    assert "总分达到 6 分及以上：中风险" in body


def test_notes_are_kept_per_domain_and_shown_on_the_case(users, login, case):
    client = login(users["director"])
    data = form({"family": 2}, note_family="母亲打零工，早出晚归", note_safety="  ")
    client.post(assess_url(case), data)
    assessment = Assessment.objects.get(case=case)
    assert assessment.notes == {"family": "母亲打零工，早出晚归"}
    assert assessment.scores["family"] == 2 and assessment.scores["safety"] == 0
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "母亲打零工，早出晚归" in body and "家庭与监护" in body


def test_override_needs_a_reason(users, login, case):
    client = login(users["director"])
    response = client.post(assess_url(case), form({"psychology": 2}, risk="high"))
    assert response.status_code == 200
    assert "调整风险等级须说明理由。" in response.content.decode()
    assert not Assessment.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == "open" and case.risk == ""


def test_override_with_reason_keeps_both_risks(users, login, case):
    client = login(users["director"])
    data = form({"psychology": 2}, risk="high", override_reason="有自伤言语")
    assert client.post(assess_url(case), data).status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert (assessment.computed_risk, assessment.risk) == ("medium", "high")
    assert assessment.override_reason == "有自伤言语"
    case.refresh_from_db()
    assert case.risk == "high" and case.risk_reason == "有自伤言语"
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "按规则计算：中" in body and "最终风险：高" in body and "有自伤言语" in body


def test_high_risk_alerts_the_supervisor_once(users, login, case):
    client = login(users["director"])
    client.post(assess_url(case), form({"safety": 3}))
    alert = Alert.objects.get(case=case)
    assert "王小海" in alert.message and alert.acknowledged_at is None
    client.post(assess_url(case), form({"safety": 3}))  # still high: no second alert
    assert Alert.objects.filter(case=case).count() == 1
    page = login(users["supervisor"]).get(reverse("cases:case_detail", args=[case.pk]))
    body = page.content.decode()
    assert "高风险个案：王小海" in body
    assert "risk-high" in body  # the class the stylesheet paints red


def test_supervisor_acknowledges_the_alert_director_cannot(users, login, case):
    services.assessment_record(
        by=users["director"],
        case=case,
        assessed_on=timezone.localdate(),
        scores={d: 3 if d == "safety" else 0 for d in DOMAINS},
    )
    alert = Alert.objects.get(case=case)
    ack = reverse("cases:case_alert_acknowledge", args=[alert.pk])
    assert login(users["director"]).post(ack).status_code == 403
    assert login(users["supervisor"]).get(ack).status_code == 405
    assert login(users["supervisor"]).post(ack).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == users["supervisor"]
    body = login(users["supervisor"]).get(reverse("cases:case_detail", args=[case.pk]))
    assert "高风险个案" not in body.content.decode()


def test_high_risk_at_opening_alerts_too(users, children, login):
    url = reverse("cases:case_create") + f"?child={children['xiaohai'].pk}"
    data = {
        "source": "police",
        "summary": "邻居报警：孩子独自在家两天。",
        "risk": "high",
        "risk_reason": "无人照料",
    }
    assert login(users["director"]).post(url, data).status_code == 302
    assert Alert.objects.filter(case__child=children["xiaohai"]).count() == 1


def test_assessment_in_the_future_is_refused(users, login, case):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = login(users["director"]).post(assess_url(case), form(assessed_on=tomorrow))
    assert "日期不能晚于今天。" in response.content.decode()
    assert not Assessment.objects.filter(case=case).exists()


def test_score_outside_0_to_3_is_refused(users, login, case):
    response = login(users["director"]).post(assess_url(case), form({"safety": 4}))
    assert response.status_code == 200
    assert not Assessment.objects.filter(case=case).exists()


def test_reassessment_keeps_the_state_and_adds_an_assessment(users, login, case):
    client = login(users["director"])
    client.post(assess_url(case), form({"psychology": 2}))
    client.post(assess_url(case), form())
    case.refresh_from_db()
    assert case.status == "assessed" and case.risk == "low"
    assert Assessment.objects.filter(case=case).count() == 2
    assert case.events.filter(to_status="assessed").count() == 1


def test_closed_case_cannot_be_assessed(users, login, case):
    services.case_request_closure(by=users["director"], case=case, reason="已转外区")
    services.case_approve_closure(by=users["supervisor"], case=case)
    client = login(users["director"])
    refusal = "个案当前状态为“已结案”，不能进行此操作。"
    assert refusal in client.get(assess_url(case)).content.decode()
    assert refusal in client.post(assess_url(case), form()).content.decode()
    assert not Assessment.objects.filter(case=case).exists()


def test_social_worker_without_the_case_gets_404(users, login, case):
    # The case has no project: 童心有梦's social worker does not see it.
    assert login(users["socialworker"]).get(assess_url(case)).status_code == 404


def test_stylesheet_paints_high_risk_red(client):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("huhang/huhang.css")).read_text(encoding="utf-8")
    assert ".tag.risk-high" in css and "var(--red)" in css.split(".tag.risk-high")[1].split("}")[0]
