"""The case workflow through the web: open → assessed → plan approved → in service → reviewed →
closing → closed → reopened; each step allowed in its state only, approvals by the right role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from huhang.cases import services
from huhang.cases.models import Case, CaseEvent, ServicePlan, ServiceRecord

SCORES = {
    "safety": 0,
    "health": 1,
    "education": 1,
    "psychology": 2,
    "family": 1,
    "living": 2,
    "support": 1,
}


def _form_scores(**overrides) -> dict[str, object]:
    return {f"score_{k}": v for k, v in {**SCORES, **overrides}.items()}


@pytest.fixture
def case(users, children):
    return services.case_open(
        by=users["director"],
        child=children["xiaohai"],
        source="family",
        summary="父亲去世，随母亲搬入30平方米旧房，孩子变得孤僻。",
    )


def _assess(case, by):
    services.assessment_record(
        by=by, case=case, assessed_on=timezone.localdate(), scores=dict(SCORES)
    )


def _plan(case, by):
    due = timezone.localdate() + timedelta(days=30)
    return services.plan_draft(
        by=by,
        case=case,
        goals="改善居住条件，缓解孤僻情绪",
        actions=[{"action": "心理疏导", "responsible": "童心有梦", "due_on": due}],
    )


def advance(case, to, users):
    """Take a case from open to `to` through the services (the web path is tested below)."""
    worker, approver = users["director"], users["supervisor"]
    order = ["assessed", "plan_approved", "in_service", "reviewed", "closing", "closed"]
    for status in order[: order.index(to) + 1]:
        if status == "assessed":
            _assess(case, worker)
        elif status == "plan_approved":
            services.plan_approve(by=approver, plan=_plan(case, worker))
        elif status == "in_service":
            services.service_record(
                by=worker,
                case=case,
                kind="counselling",
                delivered_on=timezone.localdate(),
                minutes=60,
            )
        elif status == "reviewed":
            services.case_review(by=worker, case=case, note="情绪好转")
        elif status == "closing":
            services.case_request_closure(by=worker, case=case, reason="目标达成")
        elif status == "closed":
            services.case_approve_closure(by=approver, case=case)
    case.refresh_from_db()
    assert case.status == to
    return case


def url(name, pk):
    return reverse(f"cases:{name}", args=[pk])


def test_the_whole_workflow_through_the_web(users, children, login, case):
    today = timezone.localdate().isoformat()
    director = login(users["director"])
    assert (
        director.post(
            url("case_assess", case.pk), {"assessed_on": today, **_form_scores()}
        ).status_code
        == 302
    )
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    plan_data = {
        "goals": "申请廉租房；心理疏导",
        "action_1": "协调住建部门申请廉租房",
        "responsible_1": "区民政局",
        "due_on_1": due,
        "action_2": "每周一次心理疏导",
        "responsible_2": "童心有梦",
        "due_on_2": due,
    }
    assert director.post(url("case_plan", case.pk), plan_data).status_code == 302
    plan = ServicePlan.objects.get(case=case)
    assert [a.action for a in plan.actions.all()] == ["协调住建部门申请廉租房", "每周一次心理疏导"]
    supervisor = login(users["supervisor"])
    assert supervisor.post(url("plan_approve", plan.pk)).status_code == 302
    director = login(users["director"])
    service = {"kind": "counselling", "delivered_on": today, "minutes": "90", "note": "首次面谈"}
    assert director.post(url("case_service", case.pk), service).status_code == 302
    assert director.post(url("case_review", case.pk), {"note": "情绪好转"}).status_code == 302
    assert director.post(url("case_resume", case.pk), {"note": "继续辅导"}).status_code == 302
    assert director.post(url("case_review", case.pk), {"note": "目标达成"}).status_code == 302
    response = director.post(url("case_request_closure", case.pk), {"reason": "已入住廉租房"})
    assert response.status_code == 302
    assert login(users["supervisor"]).post(url("case_approve_closure", case.pk)).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.closed_by == users["supervisor"] and case.closure_reason == "已入住廉租房"
    path = list(case.events.values_list("from_status", "to_status"))
    assert path == [
        ("", "open"),
        ("open", "assessed"),
        ("assessed", "plan_approved"),
        ("plan_approved", "in_service"),
        ("in_service", "reviewed"),
        ("reviewed", "in_service"),
        ("in_service", "reviewed"),
        ("reviewed", "closing"),
        ("closing", "closed"),
    ]


def test_case_page_shows_history_plan_services_and_hours(users, login, case):
    advance(case, "in_service", users)
    services.service_record(
        by=users["director"],
        case=case,
        kind="tutoring",
        delivered_on=timezone.localdate(),
        minutes=30,
    )
    body = login(users["director"]).get(url("case_detail", case.pk)).content.decode()
    assert "王小海" in body and reverse("workbench:child_detail", args=[case.child_id]) in body
    assert "服务中" in body and "已批准" in body and "心理疏导" in body
    assert "合计 1.5 小时" in body  # 60 + 30 minutes
    assert "已立案 → 已评估" in body


STEP_URLS = {
    "assess": "case_assess",
    "plan": "case_plan",
    "service": "case_service",
    "review": "case_review",
    "resume": "case_resume",
    "request_closure": "case_request_closure",
    "reject_closure": "case_reject_closure",
    "reopen": "case_reopen",
}
# status → the buttons the supervisor (who may work and approve) sees on the case page.
EXPECTED_STEPS = {
    "open": {"assess", "request_closure"},
    "assessed": {"assess", "plan", "request_closure"},
    "plan_approved": {"assess", "plan", "service"},
    "in_service": {"assess", "plan", "service", "review"},
    "reviewed": {"assess", "plan", "service", "resume", "request_closure"},
    "closing": {"assess", "approve_closure", "reject_closure"},
    "closed": {"reopen"},
}


@pytest.mark.parametrize("status", list(EXPECTED_STEPS))
def test_buttons_only_for_the_steps_the_state_allows(status, users, login, case):
    if status != "open":
        advance(case, status, users)
    body = login(users["supervisor"]).get(url("case_detail", case.pk)).content.decode()
    for step, name in STEP_URLS.items():
        assert (url(name, case.pk) in body) == (step in EXPECTED_STEPS[status]), step
    approve = url("case_approve_closure", case.pk)
    assert (approve in body) == ("approve_closure" in EXPECTED_STEPS[status])


def test_director_sees_no_approval_buttons(users, login, case):
    advance(case, "closing", users)
    body = login(users["director"]).get(url("case_detail", case.pk)).content.decode()
    assert url("case_approve_closure", case.pk) not in body
    assert url("case_reject_closure", case.pk) not in body


# (step, data, a status from which the step is out of order)
OUT_OF_ORDER = [
    ("case_review", {"note": "回顾"}, "open"),
    ("case_review", {"note": "回顾"}, "assessed"),
    ("case_resume", {"note": ""}, "in_service"),
    ("case_request_closure", {"reason": "无需服务"}, "in_service"),
    ("case_request_closure", {"reason": "无需服务"}, "plan_approved"),
    ("case_reopen", {"reason": "再次求助"}, "reviewed"),
    ("case_service", {"kind": "other", "minutes": "30"}, "assessed"),
    ("case_plan", {"goals": "目标", "action_1": "a", "responsible_1": "b"}, "open"),
]


@pytest.mark.parametrize("name,data,status", OUT_OF_ORDER)
def test_step_out_of_order_is_refused_with_a_message(name, data, status, users, login, case):
    if status != "open":
        advance(case, status, users)
    events = case.events.count()
    version = Case.objects.get(pk=case.pk).version
    data = {**data}
    if "due_on_1" not in data and name == "case_plan":
        data["due_on_1"] = timezone.localdate().isoformat()
    if name == "case_service":
        data["delivered_on"] = timezone.localdate().isoformat()
    response = login(users["director"]).post(url(name, case.pk), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "不能进行此操作" in body or "才能" in body
    case.refresh_from_db()
    assert case.status == status and case.version == version
    assert case.events.count() == events


def test_step_page_says_why_when_the_state_does_not_allow_it(users, login, case):
    response = login(users["director"]).get(url("case_review", case.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "个案当前状态为“已立案”，不能进行此操作。" in body
    assert 'method="post"' not in body.split("<main")[1]


def test_approve_closure_out_of_order_is_refused(users, login, case):
    response = login(users["supervisor"]).post(url("case_approve_closure", case.pk))
    assert response.status_code == 409
    assert "个案当前状态为“已立案”" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "open" and case.closed_at is None


def test_closure_without_reason_is_refused(users, login, case):
    advance(case, "reviewed", users)
    response = login(users["director"]).post(url("case_request_closure", case.pk), {"reason": " "})
    assert response.status_code == 200
    assert "结案须填写原因。" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "reviewed" and case.closure_reason == ""


def test_director_cannot_approve_a_closure(users, login, case):
    advance(case, "closing", users)
    response = login(users["director"]).post(url("case_approve_closure", case.pk))
    assert response.status_code == 403
    assert login(users["director"]).get(url("case_reject_closure", case.pk)).status_code == 403
    case.refresh_from_db()
    assert case.status == "closing"


def test_supervisor_approves_a_closure(users, login, case):
    advance(case, "closing", users)
    response = login(users["supervisor"]).post(url("case_approve_closure", case.pk))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_by == users["supervisor"]
    assert case.events.last().to_status == "closed"


def test_rejected_closure_returns_to_the_state_before(users, login, case):
    advance(case, "reviewed", users)
    services.case_request_closure(by=users["director"], case=case, reason="家长要求")
    client = login(users["supervisor"])
    response = client.post(url("case_reject_closure", case.pk), {"note": ""})
    assert "退回结案申请须说明理由。" in response.content.decode()
    response = client.post(url("case_reject_closure", case.pk), {"note": "住房尚未解决"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "reviewed" and case.closure_reason == ""


def test_reopening_keeps_the_history(users, login, case):
    advance(case, "closed", users)
    before = list(case.events.values_list("pk", "to_status"))
    client = login(users["director"])
    assert (
        "重新开案须说明理由。"
        in client.post(url("case_reopen", case.pk), {"reason": ""}).content.decode()
    )
    assert client.post(url("case_reopen", case.pk), {"reason": "母亲再次求助"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and case.closed_at is None and case.closure_reason == ""
    after = list(case.events.values_list("pk", "to_status"))
    assert after[: len(before)] == before
    assert after[-1][1] == "open"
    assert case.events.last().note == "母亲再次求助"
    body = client.get(url("case_detail", case.pk)).content.decode()
    assert "待批准结案 → 已结案" in body and "已结案 → 已立案" in body


def test_drafter_cannot_approve_own_plan(users, login, case):
    _assess(case, users["supervisor"])
    plan = _plan(case, users["supervisor"])
    client = login(users["supervisor"])
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert url("plan_approve", plan.pk) not in page
    response = client.post(url("plan_approve", plan.pk))
    assert response.status_code == 403
    assert "制定人以外" in response.content.decode()
    plan.refresh_from_db()
    assert plan.approved_at is None
    assert login(users["bureau"]).post(url("plan_approve", plan.pk)).status_code == 302
    case.refresh_from_db()
    assert case.status == "plan_approved"


def test_director_cannot_approve_a_plan(users, login, case):
    _assess(case, users["director"])
    plan = _plan(case, users["director"])
    assert login(users["director"]).post(url("plan_approve", plan.pk)).status_code == 403
    plan.refresh_from_db()
    assert plan.approved_at is None


def test_plan_needs_at_least_one_complete_action(users, login, case):
    _assess(case, users["director"])
    client = login(users["director"])
    response = client.post(url("case_plan", case.pk), {"goals": "目标"})
    assert "服务计划至少包含一项措施。" in response.content.decode()
    response = client.post(url("case_plan", case.pk), {"goals": "目标", "action_1": "心理疏导"})
    assert "请填写完整：措施、责任人和完成期限。" in response.content.decode()
    assert not ServicePlan.objects.filter(case=case).exists()


def test_service_in_the_future_or_too_long_is_refused(users, login, case):
    advance(case, "plan_approved", users)
    client = login(users["director"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"kind": "counselling", "delivered_on": tomorrow, "minutes": "60"}
    assert "日期不能晚于今天。" in client.post(url("case_service", case.pk), data).content.decode()
    data = {"kind": "counselling", "delivered_on": timezone.localdate(), "minutes": "2000"}
    assert client.post(url("case_service", case.pk), data).status_code == 200
    assert not ServiceRecord.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == "plan_approved"


def test_approvals_are_post_only(users, login, case):
    advance(case, "closing", users)
    client = login(users["supervisor"])
    assert client.get(url("case_approve_closure", case.pk)).status_code == 405
    plan = ServicePlan.objects.get(case=case)
    assert client.get(url("plan_approve", plan.pk)).status_code == 405
    assert client.put(url("case_review", case.pk)).status_code == 405
    assert client.delete(url("case_detail", case.pk)).status_code == 405
    case.refresh_from_db()
    assert case.status == "closing"


def test_outsider_gets_404_everywhere(users, login, case):
    client = login(users["director2"])  # 河东村: not 王小海's community
    for name in ["case_detail", "case_review", "case_request_closure", "case_assess"]:
        assert client.get(url(name, case.pk)).status_code == 404, name
    advance(case, "closing", users)
    assert client.post(url("case_reopen", case.pk), {"reason": "x"}).status_code == 404
    assert CaseEvent.objects.filter(case=case, by=users["director2"]).count() == 0


def test_roles_without_case_work_get_403(users, login, case):
    for role in ["partner", "dataofficer", "auditor"]:
        client = login(users[role])
        assert client.get(url("case_detail", case.pk)).status_code == 403, role
        assert client.post(url("case_review", case.pk), {"note": "x"}).status_code == 403, role


def test_unknown_case_is_404(users, login):
    assert login(users["bureau"]).get(url("case_detail", 999999)).status_code == 404


def test_each_step_is_audited_on_the_childs_trail(users, login, case):
    from huhang.core.models import AuditEvent

    login(users["director"]).get(url("case_detail", case.pk))
    viewed = AuditEvent.objects.filter(action="view", object_id=str(case.child_id))
    assert viewed.filter(detail__case=case.pk).exists()
