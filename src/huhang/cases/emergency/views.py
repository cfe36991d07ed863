"""Emergency protection (临时监护) pages: thin views — access → form → service → response.

Who: opening and logging need "emergency.open" (bureau, supervisor), resolving needs
"emergency.resolve" (bureau); any other role gets 403. Which records: core.scope — a child or
an emergency outside the user's subtree is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from django import forms as django_forms
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from huhang.cases.emergency import forms, selectors, services
from huhang.cases.selectors import child_cases
from huhang.core.access import require
from huhang.core.views import form_page, list_view
from huhang.registry.selectors import child_for_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FORM_TEMPLATE = "cases/emergency/form.html"


emergency_list = require_safe(
    list_view("registry.view", "cases/emergency/list.html", selectors.emergency_list)
)


@require_safe
def emergency_detail(request, pk: int):
    require(request.user, "registry.view")
    page = selectors.emergency_page(user=request.user, pk=pk)
    return render(request, "cases/emergency/detail.html", {"page": page})


@require_http_methods(["GET", "POST"])
def emergency_open(request):
    require(request.user, "emergency.open")
    child = child_for_user(user=request.user, pk=request.GET.get("child"))
    cases = child_cases(user=request.user, child=child)
    initial = {"taken_in_at": _this_minute()}
    form = forms.EmergencyOpenForm(request.POST or None, cases=cases, initial=initial)
    return form_page(
        request,
        form,
        partial(services.emergency_open, by=request.user, child=child),
        saved=_("已登记临时监护。"),
        then="cases:emergency_detail",
        template=FORM_TEMPLATE,
        child=child,
        title=_("临时监护 · 登记接收"),
    )


class Step(NamedTuple):
    """A step on an open emergency: who may, the form (its `moment` field starts at this
    minute), the service, what is said once it is done, the page's title."""

    capability: str
    form: type[django_forms.Form]
    moment: str
    service: Callable[..., object]
    done: StrOrPromise
    title: StrOrPromise


STEPS = {
    "log": Step(
        "emergency.open",
        forms.CoordinationForm,
        "at",
        services.emergency_log,
        gettext_lazy("协调记录已登记。"),
        gettext_lazy("临时监护 · 登记协调记录"),
    ),
    "resolve": Step(
        "emergency.resolve",
        forms.ResolveForm,
        "resolved_at",
        services.emergency_resolve,
        gettext_lazy("临时监护已解除。"),
        gettext_lazy("临时监护 · 解除"),
    ),
}


@require_http_methods(["GET", "POST"])
def emergency_step(request, pk: int, step: str):
    how = STEPS[step]
    require(request.user, how.capability)
    emergency = selectors.emergency_for_user(user=request.user, pk=pk)
    form = how.form(request.POST or None, initial={how.moment: _this_minute()})
    return form_page(
        request,
        form,
        partial(how.service, by=request.user, emergency=emergency),
        saved=how.done,
        then=lambda done: redirect("cases:emergency_detail", pk=emergency.pk),
        template=FORM_TEMPLATE,
        child=emergency.child,
        emergency=emergency,
        title=how.title,
    )


def _this_minute() -> datetime:
    # What the datetime-local input shows first: most steps are recorded as they happen.
    return timezone.localtime().replace(second=0, microsecond=0)
