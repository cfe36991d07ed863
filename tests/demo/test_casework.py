"""The demo's case work: the report's example for 王小海 end to end, the other cases and the two
temporary guardianships, made once and dated in the past."""

from __future__ import annotations

import itertools

import pytest
from django.db.models import Sum
from django.utils import timezone

from huhang.cases.models import (
    Alert,
    Case,
    CoordinationEntry,
    EmergencyProtection,
    HomeVisit,
    Referral,
    ServiceRecord,
)
from huhang.core.models import AuditEvent
from huhang.demo import casework, generator


@pytest.fixture
def demo(db):
    return generator.generate("small")


@pytest.fixture
def xiaohai_case(demo):
    return Case.objects.select_related("child__person", "project").get(
        child__person__name="王小海", project__name="童心有梦"
    )


def test_xiaohai_has_the_case_of_the_report(xiaohai_case):
    case = xiaohai_case
    assert case.child.division.name == "友谊十八社区"
    assert case.opened_by.username == "director"
    assert case.source == "worker"
    assert "父亲" in case.summary and "30平方米" in case.summary
    assert case.status == "in_service"
    assert case.risk == "medium"
    project = case.project
    assert project.contractor.name == "童心有梦社会工作服务中心"
    assert project.starts_on <= case.opened_at.date() <= project.ends_on
    assert project.budget_fen > 0 and project.target_hours > 0


def test_assessment_by_the_social_worker(xiaohai_case):
    assessment = xiaohai_case.assessments.get()
    assert assessment.assessor.username == "socialworker"
    assert assessment.scores["psychology"] == 2
    assert assessment.scores["living"] == 2
    assert assessment.scores["family"] == 1
    assert assessment.computed_risk == assessment.risk == "medium"


def test_plan_drafted_by_the_social_worker_and_approved_by_the_supervisor(xiaohai_case):
    plan = xiaohai_case.plans.get()
    assert plan.drafted_by.username == "socialworker"
    assert plan.approved_by.username == "supervisor"
    assert plan.drafted_at < plan.approved_at
    actions = " ".join(plan.actions.values_list("action", flat=True))
    assert "廉租房" in actions and "心理疏导" in actions


def test_counselling_counts_against_the_project(xiaohai_case):
    counselling = ServiceRecord.objects.filter(case=xiaohai_case, kind="counselling")
    assert counselling.count() >= 8
    assert {s.worker.username for s in counselling} == {"socialworker"}
    assert all(s.project == xiaohai_case.project for s in counselling)
    minutes = ServiceRecord.objects.filter(project__name="童心有梦").aggregate(m=Sum("minutes"))
    assert minutes["m"] >= 8 * 60
    days = sorted(counselling.values_list("delivered_on", flat=True))
    assert all((b - a).days == 7 for a, b in itertools.pairwise(days))


def test_housing_referral_answered_and_followed_up(xiaohai_case):
    referral = Referral.objects.get(case=xiaohai_case, agency="housing")
    assert referral.sent_by.username == "bureau"
    assert "廉租房" in referral.request
    assert referral.status == "answered"
    assert referral.responded_on is not None and referral.responded_on > referral.sent_on
    assert "配租" in referral.response
    follow_ups = list(referral.follow_ups.all())
    assert follow_ups and any("街道办事处" in f.note for f in follow_ups)


def test_home_visits_by_the_director(xiaohai_case):
    visits = HomeVisit.objects.filter(child=xiaohai_case.child)
    assert {v.visitor.username for v in visits} == {"director"}
    assert visits.filter(case=xiaohai_case).exists()


def test_everything_lies_in_the_past_in_story_order(xiaohai_case):
    today = timezone.localdate()
    case = xiaohai_case
    events = list(case.events.order_by("at"))
    assert [e.to_status for e in events] == ["open", "assessed", "plan_approved", "in_service"]
    assert all(e.at.date() < today for e in events)
    assessment = case.assessments.get()
    assert case.opened_at.date() <= assessment.assessed_on
    assert max(case.services.values_list("delivered_on", flat=True)) < today
    referral = case.referrals.get()
    assert case.opened_at.date() < referral.sent_on < referral.responded_on < today


def test_the_steps_are_on_xiaohais_audit_trail(xiaohai_case):
    trail = AuditEvent.objects.filter(object_type="child", object_id=str(xiaohai_case.child_id))
    assert {"director", "socialworker", "supervisor", "bureau"} <= set(
        trail.values_list("username", flat=True)
    )


def test_other_cases_one_high_risk_with_an_alert(demo):
    high = Case.objects.get(risk="high")
    assert high.child.division.name == "友谊十八社区"
    alert = Alert.objects.get(case=high)
    assert alert.acknowledged_at is None
    assert Case.objects.count() >= 3


def test_one_resolved_and_one_open_emergency_elsewhere(demo):
    emergencies = EmergencyProtection.objects.select_related("child__division")
    resolved = emergencies.get(resolved_at__isnull=False)
    current = emergencies.get(resolved_at__isnull=True)
    assert resolved.outcome == "returned"
    assert resolved.taken_in_at < resolved.resolved_at < timezone.now()
    assert current.child.division.name == "友谊十九社区"  # in the supervisor's street
    parties = set(current.log.values_list("party", flat=True))
    assert {"procuratorate", "court"} <= parties
    for entry in CoordinationEntry.objects.all():
        assert entry.emergency.taken_in_at <= entry.at <= entry.recorded_at < timezone.now()
    assert "王小海" not in {e.child.person.name for e in emergencies}


def test_generating_twice_makes_nothing_twice(demo):
    counts = (
        Case.objects.count(),
        ServiceRecord.objects.count(),
        Referral.objects.count(),
        HomeVisit.objects.count(),
        EmergencyProtection.objects.count(),
        Alert.objects.count(),
    )
    generator.generate("small")
    assert casework.load() == {}
    assert (
        Case.objects.count(),
        ServiceRecord.objects.count(),
        Referral.objects.count(),
        HomeVisit.objects.count(),
        EmergencyProtection.objects.count(),
        Alert.objects.count(),
    ) == counts
    assert Case.objects.filter(child__person__name="王小海").count() == 1


def test_the_archive_page_shows_the_referral_and_the_counselling(xiaohai_case, client):
    from huhang.accounts.models import User

    client.force_login(User.objects.get(username="bureau"))
    html = client.get(f"/children/{xiaohai_case.child_id}/").content.decode()
    assert "昆都仑区住房和城乡建设局" in html
    assert "心理疏导" in html


def test_the_story_is_made_deterministically(db):
    generator.generate("small")
    first = _story()
    # Run it again on a fresh copy of the people: the same rows.
    _wipe_casework()
    casework.load()
    assert _story() == first


def _story():
    return (
        list(
            Case.objects.order_by("opened_at").values_list(
                "child__person__name", "source", "risk", "status"
            )
        ),
        list(
            ServiceRecord.objects.order_by("delivered_on", "kind").values_list(
                "case__child__person__name", "delivered_on", "minutes"
            )
        ),
        list(
            EmergencyProtection.objects.order_by("taken_in_at").values_list(
                "child__person__name", "situation", "taken_in_at", "resolved_at"
            )
        ),
    )


def _wipe_casework():
    EmergencyProtection.objects.all().delete()
    HomeVisit.objects.all().delete()
    Case.objects.all().delete()
