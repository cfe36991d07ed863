"""Case work under /cases/ (namespace "cases"): the case aggregate here, home visits and emergency
protection from their sub-packages (their names stay in this namespace)."""

from django.urls import include, path

from huhang.cases import views
from huhang.core.routing import resource_paths, step_paths

app_name = "cases"
urlpatterns = [
    *resource_paths("", views, "case", ["list", "create", "detail", "approve_closure"]),
    *step_paths(
        "<int:pk>/{step}/",
        views.case_step,
        ["assess", "plan", "review", "resume", "request_closure", "reject_closure", "reopen"],
        name="case_{step}",
    ),
    # Two steps that add a record, spelt as such.
    path("<int:pk>/services/new/", views.case_step, {"step": "service"}, name="case_service"),
    path("<int:pk>/referrals/new/", views.case_step, {"step": "refer"}, name="referral_send"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="case_alert_acknowledge"),
    # The inbox's button: the same step, back to the inbox.
    path(
        "inbox/alerts/<int:pk>/acknowledge/",
        views.alert_acknowledge,
        {"to_inbox": True},
        name="alert_acknowledge",
    ),
    *step_paths(
        "referrals/<int:pk>/{step}/",
        views.referral_step,
        ["answer", "follow_up", "close"],
        name="referral_{step}",
    ),
    path("visits/", include("huhang.cases.visits.urls")),
    path("emergency/", include("huhang.cases.emergency.urls")),
]
