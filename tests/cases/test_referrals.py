"""Referrals to other agencies: sent, answered with a date, followed up, closed — the report's
example end to end (廉租房 from the housing bureau for 王小海), and each refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from huhang.cases import services
from huhang.cases.models import Referral, ReferralFollowUp


@pytest.fixture
def case(users, children):
    return services.case_open(
        by=users["director"],
        child=children["xiaohai"],
        source="family",
        summary="9岁男孩，父亲去世，随母亲住30平方米旧房，变得孤僻。",
    )


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def referral(users, case):
    return services.referral_send(
        by=users["director"],
        case=case,
        agency="housing",
        agency_name="昆都仑区住房保障中心",
        request="申请廉租房",
        sent_on=days_ago(20),
    )


def url(name, pk):
    return reverse(f"cases:{name}", args=[pk])


def test_housing_referral_for_xiaohai_end_to_end(users, case, login):
    client = login(users["director"])
    sent = {
        "agency": "housing",
        "agency_name": "昆都仑区住房保障中心",
        "request": "为王小海一家申请廉租房",
        "sent_on": days_ago(30).isoformat(),
    }
    assert client.post(url("referral_send", case.pk), sent).status_code == 302
    referral = Referral.objects.get(case=case)
    assert referral.status == "sent" and referral.sent_by == users["director"]

    answer = {
        "resolved": "yes",
        "response": "符合条件，已纳入廉租房保障，分配友谊小区2号楼",
        "responded_on": days_ago(10).isoformat(),
    }
    assert client.post(url("referral_answer", referral.pk), answer).status_code == 302
    follow = {"on": days_ago(5).isoformat(), "note": "入户确认已办理入住"}
    assert client.post(url("referral_follow_up", referral.pk), follow).status_code == 302
    close = {"closed_on": days_ago(2).isoformat()}
    assert client.post(url("referral_close", referral.pk), close).status_code == 302

    referral.refresh_from_db()
    assert referral.status == "done"
    assert referral.responded_on == days_ago(10) and referral.closed_on == days_ago(2)
    assert referral.follow_ups.get().note == "入户确认已办理入住"
    body = client.get(url("case_detail", case.pk)).content.decode()
    for text in [
        "昆都仑区住房保障中心",
        "为王小海一家申请廉租房",
        "已办结",
        f"答复（{days_ago(10).isoformat()}）",
        "分配友谊小区2号楼",
        "入户确认已办理入住",
    ]:
        assert text in body, text
    # Done: no more answer, follow-up or close buttons.
    for name in ["referral_answer", "referral_follow_up", "referral_close"]:
        assert url(name, referral.pk) not in body


def test_declined_answer_can_be_followed_up_but_not_closed(users, referral, login):
    client = login(users["director"])
    answer = {"resolved": "no", "response": "暂无房源", "responded_on": days_ago(1).isoformat()}
    client.post(url("referral_answer", referral.pk), answer)
    referral.refresh_from_db()
    assert referral.status == "declined"
    body = client.get(url("referral_close", referral.pk)).content.decode()
    assert "该转介当前状态为“未予解决”，不能进行此操作。" in body
    client.post(url("referral_close", referral.pk), {"closed_on": days_ago(0).isoformat()})
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.closed_on is None
    follow = {"on": days_ago(0).isoformat(), "note": "改为申请租赁补贴"}
    assert client.post(url("referral_follow_up", referral.pk), follow).status_code == 302


def test_answer_before_sending_is_refused(users, referral, login):
    answer = {"resolved": "yes", "response": "同意", "responded_on": days_ago(25).isoformat()}
    response = login(users["director"]).post(url("referral_answer", referral.pk), answer)
    assert "答复日期不能早于转介日期。" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.responded_on is None


def test_answer_needs_its_content_and_a_result(users, referral, login):
    client = login(users["director"])
    data = {"resolved": "yes", "response": "", "responded_on": days_ago(1).isoformat()}
    assert (
        "请填写答复内容。"
        in client.post(url("referral_answer", referral.pk), data).content.decode()
    )
    data = {"response": "同意", "responded_on": days_ago(1).isoformat()}
    assert client.post(url("referral_answer", referral.pk), data).status_code == 200
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_second_answer_is_refused(users, referral, login):
    services.referral_answer(
        by=users["director"],
        referral=referral,
        response="同意",
        responded_on=days_ago(3),
        resolved=True,
    )
    answer = {"resolved": "no", "response": "改口", "responded_on": days_ago(1).isoformat()}
    response = login(users["director"]).post(url("referral_answer", referral.pk), answer)
    assert "不能进行此操作" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "answered" and referral.response == "同意"


def test_close_before_an_answer_is_refused(users, referral, login):
    client = login(users["director"])
    client.post(url("referral_close", referral.pk), {"closed_on": days_ago(0).isoformat()})
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.closed_on is None


def test_follow_up_in_the_future_or_empty_is_refused(users, referral, login):
    client = login(users["director"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url("referral_follow_up", referral.pk), {"on": tomorrow, "note": "x"})
    assert "日期不能晚于今天。" in response.content.decode()
    response = client.post(
        url("referral_follow_up", referral.pk), {"on": days_ago(0).isoformat(), "note": ""}
    )
    assert "请填写跟进情况。" in response.content.decode()
    assert not ReferralFollowUp.objects.exists()


def test_referral_needs_a_request_and_no_future_date(users, case, login):
    client = login(users["director"])
    data = {"agency": "education", "agency_name": "区教育局", "request": " ", "sent_on": ""}
    assert client.post(url("referral_send", case.pk), data).status_code == 200
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {**data, "request": "协调转学", "sent_on": tomorrow}
    assert "日期不能晚于今天。" in client.post(url("referral_send", case.pk), data).content.decode()
    assert not Referral.objects.exists()


def test_closed_case_cannot_refer(users, case, login):
    services.case_request_closure(by=users["director"], case=case, reason="迁出")
    services.case_approve_closure(by=users["supervisor"], case=case)
    data = {
        "agency": "housing",
        "agency_name": "住房保障中心",
        "request": "廉租房",
        "sent_on": days_ago(0).isoformat(),
    }
    response = login(users["director"]).post(url("referral_send", case.pk), data)
    assert "不能进行此操作" in response.content.decode()
    assert not Referral.objects.exists()


def test_outsider_gets_404(users, referral, login):
    client = login(users["director2"])
    for name in ["referral_answer", "referral_follow_up", "referral_close"]:
        assert client.get(url(name, referral.pk)).status_code == 404, name
    answer = {"resolved": "yes", "response": "同意", "responded_on": days_ago(1).isoformat()}
    assert client.post(url("referral_answer", referral.pk), answer).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert login(users["socialworker"]).get(url("referral_answer", referral.pk)).status_code == 404


def test_roles_without_case_work_get_403(users, referral, login):
    assert login(users["auditor"]).get(url("referral_answer", referral.pk)).status_code == 403


def test_wrong_method_is_405(users, referral, login):
    assert login(users["director"]).delete(url("referral_close", referral.pk)).status_code == 405
    assert login(users["director"]).put(url("referral_send", referral.case_id)).status_code == 405
