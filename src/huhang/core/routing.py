"""URL plumbing shared by the apps' urls.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from django.urls import URLPattern, path

# Where the pages of a record type sit below its prefix; any other page is one of a record's.
_RESOURCE_ROUTES = {"list": "", "create": "new/", "detail": "<int:pk>/"}


def resource_paths(
    prefix: str, views: ModuleType, noun: str, pages: Iterable[str]
) -> list[URLPattern]:
    """The pages of one kind of record, spelt as the apps spell them: page `p` is named
    `<noun>_<p>` and served by the view of that name in `views`, at

        "list"     the prefix itself             activities/
        "create"   the form for a new record     activities/new/
        "detail"   one record                    activities/<int:pk>/
        any other  a page of one record          activities/<int:pk>/enrol/

    (a page's underscores become hyphens in its route, as in `step_paths`):

        resource_paths("activities/", views, "activity", ["list", "create", "detail", "enrol"])

    A route off the convention (another name or view, default arguments) stays a `path()`.
    A page without its view fails here, when the URLconf is loaded.
    """
    patterns: list[URLPattern] = []
    for page in pages:
        route = _RESOURCE_ROUTES.get(page, f"<int:pk>/{page.replace('_', '-')}/")
        name = f"{noun}_{page}"
        patterns.append(path(prefix + route, getattr(views, name), name=name))
    return patterns


def step_paths(
    route: str, view: Callable[..., Any], steps: Iterable[str], *, name: str
) -> list[URLPattern]:
    """One URL per step of a record's workflow, each served by `view` with the step as its
    `step` argument. `route` and `name` are formats of the step, spelt with hyphens in the
    route ("request-closure") and underscores in the name ("case_request_closure"):

        step_paths("<int:pk>/{step}/", views.run_step, ["compute", "approve"], name="run_{step}")
    """
    return [
        path(
            route.format(step=step.replace("_", "-")),
            view,
            {"step": step},
            name=name.format(step=step),
        )
        for step in steps
    ]
