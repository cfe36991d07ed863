"""Cases, their steps and referrals, under /cases/ (namespace "cases")."""

from django.urls import path

from huhang.cases import views_cases as views


def _step(route: str, step: str, name: str):
    return path(route, views.case_step, {"step": step}, name=name)


urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    _step("<int:pk>/assess/", "assess", "case_assess"),
    _step("<int:pk>/plan/", "plan", "case_plan"),
    _step("<int:pk>/services/new/", "service", "case_service"),
    _step("<int:pk>/review/", "review", "case_review"),
    _step("<int:pk>/resume/", "resume", "case_resume"),
    _step("<int:pk>/request-closure/", "request_closure", "case_request_closure"),
    _step("<int:pk>/reject-closure/", "reject_closure", "case_reject_closure"),
    _step("<int:pk>/reopen/", "reopen", "case_reopen"),
    _step("<int:pk>/referrals/new/", "refer", "referral_send"),
    path("<int:pk>/approve-closure/", views.case_approve_closure, name="case_approve_closure"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path(
        "alerts/<int:pk>/acknowledge/", views.case_alert_acknowledge, name="case_alert_acknowledge"
    ),
    path(
        "referrals/<int:pk>/answer/",
        views.referral_step,
        {"step": "answer"},
        name="referral_answer",
    ),
    path(
        "referrals/<int:pk>/follow-up/",
        views.referral_step,
        {"step": "follow_up"},
        name="referral_follow_up",
    ),
    path(
        "referrals/<int:pk>/close/", views.referral_step, {"step": "close"}, name="referral_close"
    ),
]
