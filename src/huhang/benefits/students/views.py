"""The student lists' pages (福彩圆梦·孤儿助学, 金秋助学): thin views — access → form → service →
response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from huhang.benefits.selectors import entitlement_for_user, programme_for_user
from huhang.benefits.students import forms, selectors, services
from huhang.core.access import require
from huhang.core.forms import Form, submit
from huhang.core.paging import render_list

# list → the URL name of its page
LISTS = {
    services.SCHOLARSHIP: "benefits:scholarship_list",
    services.AUTUMN_AID: "benefits:autumn_aid_list",
}


@require_GET
def student_list(request, code: str):
    require(request.user, "benefits.view")
    programme = programme_for_user(user=request.user, code=code)
    rows = selectors.student_list(user=request.user, code=code)
    context = {"programme": programme, "code": code}
    template = "benefits/students/list.html"
    return render_list(request, template, rows, context, decorate=selectors.decorate_students)


# list → (form, service, title)
STUDENT_FORMS: dict[str, tuple[type[Form], Callable[..., Any], Any]] = {
    services.SCHOLARSHIP: (
        forms.ScholarshipForm,
        services.scholarship_enrol,
        gettext_lazy("加入助学名单"),
    ),
    services.AUTUMN_AID: (
        forms.AutumnAidForm,
        services.autumn_aid_enrol,
        gettext_lazy("加入金秋助学名单"),
    ),
}
EXTRA_FIELDS = ("full_time", "graduating")


@require_http_methods(["GET", "POST"])
def student_create(request, code: str):
    form_class, service, title = STUDENT_FORMS[code]
    require(request.user, "benefits.manage")
    form = form_class(request.POST or None, user=request.user, initial=request.GET.dict())
    done = submit(request, form, lambda: service(by=request.user, **_enrolment(form)))
    if done is not None:
        messages.success(request, _("已将 %(name)s 加入名单。") % {"name": done.child.person.name})
        return redirect(LISTS[code])
    context = {"form": form, "title": title, "code": code}
    return render(request, "benefits/students/student_form.html", context)


def _enrolment(form: Form) -> dict[str, Any]:
    """The service's arguments: the student found (as `child`) and what the list records."""
    data = {k: v for k, v in form.cleaned_data.items() if k not in EXTRA_FIELDS}
    return {"child": data.pop("id_number"), **data}


@require_http_methods(["GET", "POST"])
def scholarship_leave(request, pk: int):
    require(request.user, "benefits.manage")
    entitlement = entitlement_for_user(user=request.user, pk=pk)
    if entitlement.programme_id != services.SCHOLARSHIP:
        raise Http404
    form = forms.LeaveForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: services.scholarship_leave(
            by=request.user, entitlement=entitlement, **form.cleaned_data
        ),
    )
    if done is not None:
        messages.success(
            request,
            _("已登记离开全日制学习：资助截止于 %(y)s 学年。") % {"y": f"{done.ends_on:%Y}"},
        )
        return redirect("benefits:scholarship_list")
    context = {
        "form": form,
        "title": _("离开全日制学习 · %(name)s") % {"name": entitlement.child.person.name},
        "entitlement": entitlement,
        "back_url": reverse("benefits:scholarship_list"),
    }
    return render(request, "benefits/entitlement_form.html", context)
