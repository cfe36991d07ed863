"""Visibility for the guarantee funds (registered with core.scope).

The children whose *figures* (payments, entitlements) a user may see: those of the registry's
rule for registry roles; for an auditor, who reads reports but not the registry, the children of
its division subtree. Entitlements, payees and payroll lines follow their child. Programmes and
payroll runs are the bureau's, not a division's: whoever reads the funds sees them all, and in a
run only the lines of its own children.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huhang.benefits.models import Entitlement, Payee, PayrollLine, PayrollRun, Programme
from huhang.core import scope
from huhang.core.roles import can
from huhang.registry.models import Child


@scope.rule(Child, "figures")
def children_for_figures(user: Any, qs: QuerySet[Child]) -> QuerySet[Child]:
    if not can(user, "benefits.view"):
        return qs.none()
    if can(user, "registry.view"):
        return scope.visible(user, Child)
    return scope.within(user, qs, "division_id")


@scope.rule(Entitlement)
@scope.rule(Payee)
@scope.rule(PayrollLine)
def of_children_for_figures(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(child__in=scope.visible(user, Child, "figures"))


@scope.rule(Programme)
@scope.rule(PayrollRun)
def of_the_funds(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs if can(user, "benefits.view") else qs.none()
