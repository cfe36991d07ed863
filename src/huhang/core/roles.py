"""The seven roles of DOMAIN.md, the three administrators of 三员分立, and what each may do.

Capabilities are data, not scattered `if role == ...` checks: a view asks `can(user, "registry.edit")`
and this table answers. Which *records* a user sees is decided by `core.scope`, not here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("民政局儿童福利工作人员")
    SUPERVISOR = "supervisor", _("儿童督导员")
    DIRECTOR = "director", _("儿童主任")
    SOCIAL_WORKER = "social_worker", _("社工")
    PARTNER = "partner", _("社会组织/慈善组织")
    DATA_OFFICER = "data_officer", _("部门数据专员")
    AUDITOR = "auditor", _("审计/领导")
    # Separation of duties (三员分立, 等保三级): three administrators, none of whom reads a
    # child's data. The system administrator keeps accounts and settings; the security
    # administrator resets two-factor login, unlocks accounts and keeps the keys; the audit
    # administrator reads the audit log.
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles bound to a node of the division tree; the others are bound to an organisation. An
# administrator's division is the part of the installation it administers.
DIVISION_ROLES = frozenset(
    {Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR, Role.AUDITOR} | ADMIN_ROLES
)
ORGANISATION_ROLES = frozenset({Role.SOCIAL_WORKER, Role.PARTNER, Role.DATA_OFFICER})

CAPABILITIES: dict[str, frozenset[str]] = {
    # Browse children and open their archives (records still limited by core.scope).
    "registry.view": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR, Role.SOCIAL_WORKER}),
    # Register children, edit archives, record family and situations, upload documents.
    "registry.edit": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR}),
    # See the full ID number on the archive page (lists always mask it).
    "registry.full_id": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR}),
    # Category workflow: propose (candidate), verify in the field, review, approve or end.
    "category.propose": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR}),
    "category.verify": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR}),
    "category.approve": frozenset({Role.BUREAU}),
    # One archive per child: merging two archives (and un-merging) is the bureau's.
    "registry.merge": frozenset({Role.BUREAU}),
    # The audit log (events limited by core.scope to the user's division).
    "audit.view": frozenset({Role.BUREAU, Role.AUDITOR, Role.AUDIT_ADMIN}),
    # 三员分立: accounts and settings (the Django admin's users, organisations, divisions);
    # two-factor resets and unlocks; none of them a child's data.
    "accounts.manage": frozenset({Role.SYSTEM_ADMIN}),
    "security.manage": frozenset({Role.SECURITY_ADMIN}),
    # Case work: open, assess, plan, record services, refer, visit (records limited by scope).
    "case.work": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR, Role.SOCIAL_WORKER}),
    # Approve a service plan, approve a closure (a supervisor's or the bureau's decision).
    "case.approve": frozenset({Role.BUREAU, Role.SUPERVISOR}),
    # Home visits are recorded by whoever goes: directors mostly, also supervisors and workers.
    "visit.record": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR, Role.SOCIAL_WORKER}),
    # The installable app keeps the field pages on the phone for offline work (core/offline.py):
    # for those who work in the field, not the bureau's desks.
    "field.offline": frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.SOCIAL_WORKER}),
    # Temporary guardianship is the civil-affairs department's act; supervisors log the steps.
    "emergency.open": frozenset({Role.BUREAU, Role.SUPERVISOR}),
    "emergency.resolve": frozenset({Role.BUREAU}),
    # Guarantee funds: standards, payees, entitlements, runs; approval by a second officer.
    "benefits.manage": frozenset({Role.BUREAU}),
    "benefits.approve": frozenset({Role.BUREAU}),
    "benefits.view": frozenset({Role.BUREAU, Role.AUDITOR, Role.SUPERVISOR}),
    # Precise screening (精准排查): a department's data officer uploads its own feed; the bureau
    # may upload any feed and runs the screening.
    "feed.upload": frozenset({Role.BUREAU, Role.DATA_OFFICER}),
    "screening.run": frozenset({Role.BUREAU}),
    # Leads (线索): the director verifies in the field, the supervisor reviews, the bureau approves.
    "lead.verify": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR}),
    "lead.review": frozenset({Role.BUREAU, Role.SUPERVISOR}),
    "lead.approve": frozenset({Role.BUREAU}),
    # Uncertain record links (the linkage review queue) are resolved by a supervisor or the bureau.
    "link.review": frozenset({Role.BUREAU, Role.SUPERVISOR}),
    # Workstations, activities, trainings, partners and resources (records limited by core.scope).
    "community.view": frozenset(
        {Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR, Role.PARTNER, Role.AUDITOR}
    ),
    "station.manage": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR}),
    "activity.manage": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR, Role.PARTNER}),
    "training.manage": frozenset({Role.BUREAU, Role.SUPERVISOR}),
    "partner.manage": frozenset({Role.BUREAU}),
    "resource.manage": frozenset({Role.BUREAU, Role.PARTNER}),
    "resource.match": frozenset({Role.BUREAU, Role.SUPERVISOR}),
    # Dashboards and the half-year report (figures limited by core.scope).
    "reports.view": frozenset({Role.BUREAU, Role.SUPERVISOR, Role.DIRECTOR, Role.AUDITOR}),
}


def can(user, capability: str) -> bool:
    """Whether the user's role carries the capability (unknown capabilities are a bug)."""
    if not getattr(user, "is_authenticated", False):
        return False
    allowed = CAPABILITIES[capability]
    return getattr(user, "role", None) in allowed
