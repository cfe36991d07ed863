"""Case work under /cases/ (namespace "cases"): the case aggregate here, home visits and emergency
protection from their sub-packages (their names stay in this namespace)."""

from django.urls import URLPattern, include, path

from huhang.cases import views


def _step(route: str, step: str, name: str) -> URLPattern:
    return path(route, views.case_step, {"step": step}, name=name)


def _referral(route: str, step: str, name: str) -> URLPattern:
    return path(route, views.referral_step, {"step": step}, name=name)


app_name = "cases"
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
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="case_alert_acknowledge"),
    # The inbox's button: the same step, back to the inbox.
    path(
        "inbox/alerts/<int:pk>/acknowledge/",
        views.alert_acknowledge,
        {"to_inbox": True},
        name="alert_acknowledge",
    ),
    _referral("referrals/<int:pk>/answer/", "answer", "referral_answer"),
    _referral("referrals/<int:pk>/follow-up/", "follow_up", "referral_follow_up"),
    _referral("referrals/<int:pk>/close/", "close", "referral_close"),
    path("visits/", include("huhang.cases.visits.urls")),
    path("emergency/", include("huhang.cases.emergency.urls")),
]
