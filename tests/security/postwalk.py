"""Every form and action of the application (every URL whose view takes a POST), with what a
role needs to do it: the capabilities (core.roles) and the record(s) whose scope decides whether
it exists for the user (core.scope). tests/security/test_post_matrix.py posts to each one as each
role, on a record of its own and on one outside its scope, and checks the answer and the
database.

The list is checked against the urlconf: a view that takes a POST (its `require_http_methods`
says so, or it names no methods at all) must be in ACTIONS or, when a POST to it writes nothing,
in READ_ONLY — a new action without an entry fails the walk and names itself."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model

from huhang.benefits.students.services import SCHOLARSHIP
from huhang.registry.models import ArchiveMerge, DuplicateReview
from tests.factories import CategoryFactory
from tests.factories.base import OrganisationFactory
from tests.factories.benefits import EntitlementFactory, PayeeFactory, ProgrammeFactory
from tests.factories.cases import (
    AlertFactory,
    CaseFactory,
    EmergencyFactory,
    ReferralFactory,
    ServicePlanFactory,
    ServiceProjectFactory,
)
from tests.factories.community import (
    ActivityFactory,
    EnrolmentFactory,
    PartnerProfileFactory,
    ResourceFactory,
    TrainingFactory,
    WorkstationFactory,
)
from tests.factories.registry_extra import RelationFactory
from tests.factories.screening import LeadFactory, LinkReviewFactory
from tests.security import urlwalk

Scope = Callable[[dict], list[Model]]


@dataclass(frozen=True)
class Action:
    """`needs`: the capabilities a role must carry; `scope`: the records that must exist for
    the user (empty for a form that creates); `query`: the query string the page takes (the
    child a case, a visit or an emergency is opened for)."""

    needs: tuple[str, ...]
    scope: Scope = field(default=lambda w: [])
    query: Callable[[dict], dict] | None = None
    # The URL's arguments where the page walk's (which only needs *a* page) are not the record
    # the action changes.
    args: Callable[[dict], dict] | None = None


def _of(*keys: str) -> Scope:
    return lambda w: [w[k] for k in keys]


def _case_of(key: str) -> Scope:
    return lambda w: [w[key].case]


_CHILD = _of("child")
_FOR_CHILD = {"query": lambda w: {"child": w["child"].pk}}

ACTIONS: dict[str, Action] = {
    # registry
    "registry:child_create": Action(("registry.edit",)),
    "registry:child_edit": Action(("registry.edit",), _CHILD),
    "registry:relation_create": Action(("registry.edit",), _CHILD),
    "registry:guardian_set": Action(("registry.edit",), _CHILD),
    "registry:situation_create": Action(("registry.edit",), _CHILD),
    "registry:household_edit": Action(("registry.edit",), _CHILD),
    "registry:category_create": Action(("category.propose",), _CHILD),
    "registry:category_step": Action(("category.verify",), _of("category")),
    "registry:document_create": Action(("registry.edit",), _CHILD),
    # one archive per child: the bureau merges two archives (both must be its to edit), decides
    # a suspected pair, undoes a merge
    "registry:child_merge": Action(("registry.merge", "registry.edit"), _CHILD),
    "registry:duplicate_step": Action(("registry.merge",), _of("duplicate")),
    "registry:merge_undo": Action(("registry.merge",), _of("merge")),
    # cases
    "cases:case_create": Action(("case.work",), _CHILD, **_FOR_CHILD),
    "cases:case_assess": Action(("case.work",), _of("case")),
    "cases:case_plan": Action(("case.work",), _of("case")),
    "cases:case_review": Action(("case.work",), _of("case")),
    "cases:case_resume": Action(("case.work",), _of("case")),
    "cases:case_request_closure": Action(("case.work",), _of("case")),
    "cases:case_reject_closure": Action(("case.approve",), _of("case")),
    "cases:case_reopen": Action(("case.work",), _of("case")),
    "cases:case_service": Action(("case.work",), _of("case")),
    "cases:referral_send": Action(("case.work",), _of("case"), args=lambda w: {"pk": w["case"].pk}),
    "cases:case_approve_closure": Action(("case.approve",), _of("case")),
    "cases:plan_approve": Action(("case.approve",), _case_of("plan")),
    "cases:case_alert_acknowledge": Action(("case.approve",), _case_of("alert")),
    "cases:alert_acknowledge": Action(("case.approve",), _case_of("alert")),
    "cases:referral_answer": Action(("case.work",), _case_of("referral")),
    "cases:referral_follow_up": Action(("case.work",), _case_of("referral")),
    "cases:referral_close": Action(("case.work",), _case_of("referral")),
    "cases:visit_create": Action(("visit.record",), _CHILD, **_FOR_CHILD),
    # The phone's outbox: the child is named in the body, not the URL, so an empty POST is
    # refused (400) before any record is looked up; a child out of scope is answered 404 with
    # its reason (tests/cases/test_visit_offline.py).
    "cases:visit_sync": Action(("visit.record",)),
    "cases:emergency_open": Action(("emergency.open",), _CHILD, **_FOR_CHILD),
    "cases:emergency_log": Action(("emergency.open",), _of("emergency")),
    "cases:emergency_resolve": Action(("emergency.resolve",), _of("emergency")),
    # benefits
    "benefits:standard_set": Action(("benefits.manage",)),
    "benefits:payee": Action(("benefits.manage",), _CHILD),
    # Four eyes: a payee registered by another officer, still waiting for its confirmation.
    "benefits:payee_confirm": Action(
        ("benefits.manage",),
        _of("child", "payee_pending"),
        args=lambda w: {"pk": w["child"].pk, "payee_pk": w["payee_pending"].pk},
    ),
    "benefits:entitlement_sync": Action(("benefits.manage",)),
    "benefits:entitlement_suspend": Action(("benefits.manage",), _of("entitlement")),
    "benefits:entitlement_resume": Action(("benefits.manage",), _of("entitlement")),
    "benefits:run_create": Action(("benefits.manage",)),
    "benefits:run_compute": Action(("benefits.manage",), _of("run")),
    "benefits:run_approve": Action(("benefits.approve",), _of("run")),
    "benefits:run_close": Action(("benefits.manage",), _of("run")),
    "benefits:run_bankfile_xlsx": Action(("benefits.manage",), _of("run")),
    "benefits:run_bankfile_csv": Action(("benefits.manage",), _of("run")),
    "benefits:run_bankfile_zip": Action(("benefits.manage",), _of("run")),
    "benefits:run_reconcile": Action(("benefits.manage",), _of("run")),
    "benefits:scholarship_create": Action(("benefits.manage",)),
    "benefits:scholarship_leave": Action(
        ("benefits.manage",), _of("scholarship"), args=lambda w: {"pk": w["scholarship"].pk}
    ),
    "benefits:autumn_aid_create": Action(("benefits.manage",)),
    # screening
    "screening:feed_upload": Action(("feed.upload",)),
    "screening:link_resolve": Action(("link.review",), _of("link")),
    "screening:lead_verify": Action(("lead.verify",), _of("lead")),
    "screening:lead_review": Action(("lead.review",), _of("lead")),
    "screening:lead_approve": Action(("lead.approve",), _of("lead")),
    # A director rejects a new lead, a supervisor a verified one (the view's steps).
    "screening:lead_reject": Action(("lead.verify",), _of("lead")),
    "screening:run_start": Action(("screening.run",)),
    # community
    "community:station_create": Action(("station.manage",)),
    "community:station_edit": Action(("station.manage",), _of("station")),
    "community:activity_create": Action(("activity.manage",)),
    "community:activity_enrol": Action(("registry.edit",), _of("activity")),
    "community:enrolment_remove": Action(("registry.edit",), _of("activity", "child")),
    "community:activity_attendance": Action(("activity.manage",), _of("activity")),
    "community:activity_summary": Action(("activity.manage",), _of("activity")),
    "community:photo_create": Action(("activity.manage",), _of("activity")),
    "community:training_create": Action(("training.manage",)),
    "community:training_detail": Action(("training.manage",), _of("training")),
    "community:partner_create": Action(("partner.manage",)),
    "community:contact_create": Action(("partner.manage",), _of("partner")),
    "community:agreement_create": Action(("partner.manage",), _of("partner")),
    "community:resource_create": Action(("resource.manage",)),
    "community:resource_propose": Action(("resource.match",), _of("resource")),
    "community:resource_confirm": Action(("resource.match",), _of("resource")),
    "community:resource_close": Action(("resource.manage",), _of("resource")),
    "community:project_detail": Action(("partner.manage",), _of("project")),
}

# Views that name no methods but write nothing on a POST (they answer it like a GET): the walk
# posts to each and checks the database is unchanged.
READ_ONLY = frozenset(
    {
        "workbench:home",
        "workbench:child_detail",
        "core:audit_list",
        "core:audit_export",
        "registry:child_list",
        "registry:child_export",
        "registry:child_export_xlsx",
        "registry:document_download",
        "registry:duplicate_list",
        "community:station_list",
        "community:station_detail",
        "community:activity_list",
        "community:activity_detail",
        "community:photo_download",
        "community:training_list",
        "community:my_trainings",
        "community:training_people",
        "community:person_trainings",
        "community:partner_list",
        "community:partner_detail",
        "community:agreement_download",
        "community:resource_list",
        "community:resource_detail",
        "community:project_list",
        "api:list_children",
        "api:get_child",
    }
)


def methods_of(view: Any) -> list[str] | None:
    """The methods a view's `require_http_methods` (or require_POST, require_GET …) allows;
    None when it names none (it takes every method)."""
    seen = 0
    while view is not None and seen < 10:
        seen += 1
        try:
            nonlocals = inspect.getclosurevars(view).nonlocals
        except (TypeError, ValueError):
            nonlocals = {}
        if "request_method_list" in nonlocals:
            return list(nonlocals["request_method_list"])
        view = getattr(view, "__wrapped__", None)
    return None


def posts() -> list[urlwalk.Page]:
    """Every page whose view takes a POST and is no READ_ONLY page: each must be in ACTIONS."""
    found = []
    for page in urlwalk.pages():
        entry = dict(urlwalk._patterns(urlwalk.get_resolver()))[page.name]
        allowed = methods_of(entry.callback)
        if allowed is not None and "POST" not in allowed:
            continue
        if page.name in READ_ONLY:
            continue
        if page.name not in ACTIONS:
            raise AssertionError(f"{page.name}: add it to ACTIONS in tests/security/postwalk.py")
        found.append(page)
    return found


def worlds(tree, users, orgs, children) -> dict[str, dict[str, Any]]:
    """The page walk's world around 王小海 ("here") and the same around 张伟 ("elsewhere")."""
    here = urlwalk.world(tree, users, orgs, children)
    there = elsewhere(tree, users, orgs, children, here)
    scholarship = ProgrammeFactory(code=SCHOLARSHIP)
    for w in (here, there):
        w["scholarship"] = EntitlementFactory(child=w["child"], programme=scholarship)
        w["payee_pending"] = PayeeFactory(child=w["child"], confirmed_by=None, confirmed_at=None)
    return {"here": here, "elsewhere": there}


def elsewhere(tree, users, orgs, children, here: dict[str, Any]) -> dict[str, Any]:
    """The same world around 张伟 of 河东村 (昆河镇): its records lie outside the street's
    supervisor, its directors, the social-work organisation and the partner of `here`. The
    district-wide records (the programme, the runs, the feed batch) are shared."""
    child = children["village"]
    partner = OrganisationFactory(name="鹿城爱心企业")
    contractor = OrganisationFactory(name="阳光社会工作服务社", kind="social_work")
    case = CaseFactory(child=child, assessed=True, opened_by=users["director2"])
    station = WorkstationFactory(division=tree["village"])
    activity = ActivityFactory(station=station, held=True)
    return {
        **here,
        "child": child,
        "relation": RelationFactory(child=child.person),
        "category": CategoryFactory(child=child),
        "case": case,
        "plan": ServicePlanFactory(case=CaseFactory(child=child, assessed=True)),
        "alert": AlertFactory(case=CaseFactory(child=child, high_risk=True)),
        "referral": ReferralFactory(case=case),
        "emergency": EmergencyFactory(child=child),
        "payee": PayeeFactory(child=child),
        "entitlement": EntitlementFactory(child=child, programme=here["programme"]),
        "lead": LeadFactory(child=child),
        "link": LinkReviewFactory(name="张伟", division=tree["village"]),
        "station": station,
        "activity": activity,
        "enrolment": EnrolmentFactory(activity=activity, child=child),
        "training": TrainingFactory(division=tree["town"]),
        "partner": PartnerProfileFactory(organisation=partner),
        "resource": ResourceFactory(partner=partner, divisions=[tree["town"]]),
        "project": ServiceProjectFactory(contractor=contractor),
        "director": users["director2"],
        "duplicate": DuplicateReview.objects.create(
            first=children["c2"], second=child, reason="同名、同出生日期、同性别，所属社区不同"
        ),
        "merge": ArchiveMerge.objects.create(
            kept=child, merged=children["c2"], reason="同一儿童", merged_by=users["bureau"]
        ),
    }


# The rows a refused POST must leave as they were: every table of the application's apps but
# the audit trail (a refusal may be recorded) and the login bookkeeping.
APPS = ("regions", "accounts", "registry", "cases", "benefits", "screening", "community", "reports")
SKIP_FIELDS = {"last_login"}


def snapshot() -> dict[str, list[tuple]]:
    rows = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            names = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIP_FIELDS]
            rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*names))
    return rows


def changed(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return [label for label in before if before[label] != after[label]]
