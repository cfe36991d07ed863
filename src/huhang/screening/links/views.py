"""The link review queue (待复核匹配): rows of the student register without an ID number that
the linker could not link with certainty. A supervisor (or the bureau) compares the row with the
candidate person side by side and says whether they are the same person; the next screening
applies the answer. Thin views: access → form → service → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huhang.core.access import require
from huhang.core.forms import run_service
from huhang.core.views import list_view
from huhang.screening.links import forms, selectors, services

link_list = require_GET(
    list_view(
        "link.review",
        "screening/links/link_list.html",
        selectors.link_list,
        filters=forms.LinkFilterForm,
    )
)


@require_GET
def link_detail(request, pk: int):
    require(request.user, "link.review")
    review = selectors.link_detail(user=request.user, pk=pk)
    return _detail(request, review)


@require_POST
def link_resolve(request, pk: int):
    require(request.user, "link.review")
    review = selectors.link_for_user(user=request.user, pk=pk)
    form = forms.LinkResolveForm(request.POST)
    if form.is_valid():
        done = run_service(
            form,
            lambda: services.link_review_resolve(
                by=request.user, review=review, same_person=form.same_person
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("已确认为同一人，下次排查时生效。")
                if form.same_person
                else _("已确认不是同一人，今后不再自动匹配。"),
            )
            return redirect("screening:link_detail", pk=review.pk)
    return _detail(request, review, form=form, status=400)


def _detail(request, review, *, form=None, status: int = 200):
    context = {
        "review": review,
        "rows": selectors.comparison(review),
        "form": form,
        "reason": (review.detail or {}).get("reason", ""),
    }
    return render(request, "screening/links/link_detail.html", context, status=status)
