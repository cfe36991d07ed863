"""Every page of the application, with its URL filled in from one small world around 王小海: the
tests that must hold for *every* page (each view of a child is audited; no administrator of
三员分立 sees a child) walk the urlconf with it. A new URL that takes arguments must be added to
ARGUMENTS, or the walk fails and says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from huhang.core import crypto
from huhang.core.models import Job
from huhang.registry.models import ArchiveMerge, DuplicateReview
from tests.factories import CategoryFactory
from tests.factories.benefits import (
    EntitlementFactory,
    PayeeFactory,
    PayrollLineFactory,
    PayrollRunFactory,
    ProgrammeFactory,
    StandardFactory,
)
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
from tests.factories.screening import (
    FeedBatchFactory,
    LeadFactory,
    LinkReviewFactory,
    ScreeningRunFactory,
)

# The marker: a page "shows a child" when 王小海's name (or, for a partner, his given name) is
# on it. Every record of the world belongs to him.
MARKER = "小海"

# Not pages of the application: Django's admin (tests/security/test_separation.py checks it),
# the API's schema and docs, the login/logout/language plumbing, the two-factor pages, the
# monitoring probe (/healthz: no login, no data; tests/core/test_health.py).
NOT_PAGES = (
    "admin:",
    "api:openapi",
    "api:api-root",
    "set_language",
    "accounts:",
    "core:healthz",
)


def world(tree, users, orgs, children) -> dict[str, Any]:
    child = children["xiaohai"]
    case = CaseFactory(child=child, assessed=True, opened_by=users["director"])
    programme = ProgrammeFactory()
    run = PayrollRunFactory(programme=programme)
    station = WorkstationFactory(division=tree["c1"])
    activity = ActivityFactory(station=station, held=True)
    return {
        "child": child,
        "relation": RelationFactory(child=child.person),
        "category": CategoryFactory(child=child),
        "case": case,
        "plan": ServicePlanFactory(case=CaseFactory(child=child, assessed=True)),
        "alert": AlertFactory(case=CaseFactory(child=child, high_risk=True)),
        "referral": ReferralFactory(case=case),
        "emergency": EmergencyFactory(child=child),
        "payee": PayeeFactory(child=child),
        "programme": programme,
        "entitlement": EntitlementFactory(child=child, programme=programme),
        "run": run,
        "line": PayrollLineFactory(
            run=run,
            child=child,
            standard=StandardFactory(programme=programme),
            payee_name="王芳",
            payee_account_cipher=crypto.encrypt("6222020200000000017"),
        ),
        "batch": FeedBatchFactory(source="education"),
        "screening_run": ScreeningRunFactory(),
        "lead": LeadFactory(child=child),
        "link": LinkReviewFactory(name="王小海", division=tree["c1"]),
        "station": station,
        "activity": activity,
        "enrolment": EnrolmentFactory(activity=activity, child=child),
        "training": TrainingFactory(division=tree["district"]),
        "partner": PartnerProfileFactory(organisation=orgs["partner"]),
        "resource": ResourceFactory(partner=orgs["partner"]),
        "project": ServiceProjectFactory(contractor=orgs["sw"]),
        "director": users["director"],
        "job": Job.objects.create(
            kind="payroll_compute",
            title="计算",
            params={"run": run.pk},
            requested_by=users["bureau"],
        ),
        "duplicate": DuplicateReview.objects.create(
            first=child, second=children["c2"], reason="同名、同出生日期、同性别，所属社区不同"
        ),
        "merge": ArchiveMerge.objects.create(
            kept=child, merged=children["c2"], reason="同一儿童", merged_by=users["bureau"]
        ),
    }


def _pk(key: str) -> Callable[[dict], dict]:
    return lambda w: {"pk": w[key].pk}


# URL name → its arguments from the world (None: a stored file, checked by its own tests).
ARGUMENTS: dict[str, Callable[[dict], dict] | None] = {
    "workbench:child_detail": _pk("child"),
    "registry:child_edit": _pk("child"),
    "registry:relation_create": _pk("child"),
    "registry:guardian_set": lambda w: {"pk": w["child"].pk, "relation_pk": w["relation"].pk},
    "registry:situation_create": _pk("child"),
    "registry:household_edit": _pk("child"),
    "registry:category_create": _pk("child"),
    "registry:category_step": lambda w: {"pk": w["category"].pk, "step": "verify"},
    "registry:document_create": _pk("child"),
    "registry:document_download": None,
    "registry:child_merge": _pk("child"),
    "registry:merge_undo": _pk("merge"),
    "registry:duplicate_step": lambda w: {"pk": w["duplicate"].pk, "step": "merge"},
    "benefits:payee_confirm": lambda w: {"pk": w["child"].pk, "payee_pk": w["payee"].pk},
    "cases:plan_approve": _pk("plan"),
    "cases:case_alert_acknowledge": _pk("alert"),
    "cases:alert_acknowledge": _pk("alert"),
    "benefits:payee": _pk("child"),
    "benefits:entitlement_list": lambda w: {"code": w["programme"].code},
    "benefits:entitlement_suspend": _pk("entitlement"),
    "benefits:entitlement_resume": _pk("entitlement"),
    "benefits:scholarship_leave": _pk("entitlement"),
    "screening:feed_detail": _pk("batch"),
    "screening:feed_errors_xlsx": _pk("batch"),
    "screening:run_detail": _pk("screening_run"),
    "community:station_public": lambda w: {"key": w["station"].public_key},
    "community:station_qr": lambda w: {"key": w["station"].public_key},
    "community:enrolment_remove": lambda w: {
        "pk": w["activity"].pk,
        "enrolment_pk": w["enrolment"].pk,
    },
    "community:photo_download": None,
    "community:agreement_download": None,
    "community:person_trainings": _pk("director"),
    "api:get_child": lambda w: {"child_id": w["child"].pk},
    "core:job_detail": _pk("job"),
}
# The rest by the prefix of their name: the record their `pk` names.
PREFIXES = {
    "cases:case_": "case",
    "cases:referral_": "referral",
    "cases:emergency_": "emergency",
    "benefits:run_": "run",
    "screening:link_": "link",
    "screening:lead_": "lead",
    "community:station_": "station",
    "community:activity_": "activity",
    "community:photo_": "activity",
    "community:training_": "training",
    "community:partner_": "partner",
    "community:contact_": "partner",
    "community:agreement_": "partner",
    "community:resource_": "resource",
    "community:project_": "project",
}


@dataclass(frozen=True)
class Page:
    name: str
    arguments: Callable[[dict], dict] | None


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def pages() -> list[Page]:
    """Every named URL of the application but NOT_PAGES; an argument-taking one without an
    entry in ARGUMENTS or PREFIXES raises, naming it."""
    found = []
    for name, entry in _patterns(get_resolver()):
        if name.startswith(NOT_PAGES):
            continue
        if not entry.pattern.converters:
            found.append(Page(name, lambda w: {}))
        elif name in ARGUMENTS:
            found.append(Page(name, ARGUMENTS[name]))
        else:
            key = next((k for p, k in PREFIXES.items() if name.startswith(p)), None)
            if key is None:
                raise AssertionError(f"{name}: add its arguments to tests/security/urlwalk.py")
            found.append(Page(name, _pk(key)))
    return sorted(found, key=lambda p: p.name)


def url_of(page: Page, w: dict) -> str | None:
    if page.arguments is None:
        return None
    return reverse(page.name, kwargs=page.arguments(w))


def shows_a_child(response) -> bool:
    body = b"".join(response) if response.streaming else response.content
    return any(MARKER.encode(enc) in body for enc in ("utf-8", "gb18030"))
