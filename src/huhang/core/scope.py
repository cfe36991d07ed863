"""Who sees what: the one entry point that decides visibility.

Every list, detail, search, export and API query of records starts from `visible(user, Model)`.
The kernel cannot know the domain's models (it imports no other app), so each app registers the
rule for each of its models in its own `scope.py` with `@rule(Model)`; `visible` applies it. A
model without a registered rule is visible to nobody (fail closed), and an anonymous user sees
nothing of any model. The rules themselves are built from the primitives below: a user bound to a
division sees that division's subtree (`in_subtree`); the other bindings (a social worker's
organisation, a partner's) are written out in the rule of each model.

A record outside the scope does not exist for the user: callers turn "not in the queryset" into
404 with `get(user, Model, pk)` (or `core.access.get_or_404` on a narrowed queryset), never 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet

from huhang.core.access import get_or_404
from huhang.core.divisions import overlap_q, subtree_q

M = TypeVar("M", bound=Model)
Rule = Callable[[Any, QuerySet], QuerySet]

# (model, purpose) → rule. "view" is the ordinary one; a few models have a second purpose
# (e.g. children whose *figures* an auditor may read without seeing the registry).
_RULES: dict[tuple[type[Model], str], Rule] = {}


def rule(model: type[Model], purpose: str = "view") -> Callable[[Rule], Rule]:
    """Register `fn(user, queryset) -> queryset` as the visibility rule of `model`."""

    def register(fn: Rule) -> Rule:
        key = (model, purpose)
        if key in _RULES and _RULES[key] is not fn:
            raise RuntimeError(f"a second scope rule for {model.__name__} ({purpose})")
        _RULES[key] = fn
        return fn

    return register


def visible(user: Any, model: type[M], purpose: str = "view") -> QuerySet[M]:
    """The rows of `model` the user may see, unevaluated; callers add their filters."""
    qs = model._default_manager.all()
    fn = _RULES.get((model, purpose))
    if fn is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    return fn(user, qs)


def get(user: Any, model: type[M], pk: Any, *related: str, purpose: str = "view") -> M:
    """The row with this key if the user may see it; otherwise 404, whether or not it exists."""
    qs = visible(user, model, purpose)
    return get_or_404(qs.select_related(*related) if related else qs, pk)


def contains(user: Any, obj: Model, purpose: str = "view") -> bool:
    """Whether `obj` is one of the rows of its model the user may see: what a service asks of a
    record a request named in its body (a form's choice), whatever the form offered."""
    return visible(user, type(obj), purpose).filter(pk=obj.pk).exists()


def registered() -> list[tuple[type[Model], str]]:
    """Every (model, purpose) with a rule: tests walk them to prove each one fails closed."""
    return sorted(_RULES, key=lambda key: (key[0]._meta.label, key[1]))


# --- Primitives the rules are built from ---------------------------------------------------------


def division_prefix(user: Any) -> str | None:
    """The code of the division a user is bound to (its scope's root), or None."""
    return getattr(user, "division_id", None) or None


def at_root(user: Any) -> bool:
    """Whether the user is bound to the installation's root division (or above it): such a
    user also answers for what belongs to no division (organisations' staff, the system)."""
    prefix = division_prefix(user)
    return prefix is not None and settings.HUHANG_ROOT_DIVISION.startswith(prefix)


def in_subtree(user: Any, field: str) -> Q | None:
    """Q for rows whose division (in `field`) lies in the user's subtree; None when the user is
    bound to no division (the rule must then decide, usually: nothing)."""
    prefix = division_prefix(user)
    return subtree_q(prefix, field) if prefix else None


def reaching(user: Any, field: str) -> Q | None:
    """Q for rows offered to the user's subtree or to an ancestor of it (a district-wide offer
    reaches a street); None when the user is bound to no division."""
    prefix = division_prefix(user)
    return overlap_q(prefix, field) if prefix else None


def within(user: Any, qs: QuerySet[M], field: str) -> QuerySet[M]:
    """`qs` cut to the user's subtree (through `field`), or nothing for an unbound user."""
    where = in_subtree(user, field)
    return qs.none() if where is None else qs.filter(where)
