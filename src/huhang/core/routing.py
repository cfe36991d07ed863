"""URL plumbing shared by the apps' urls.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import URLPattern, path


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
