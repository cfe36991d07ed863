"""The 按时足额 page: figures per street of the children the user sees, and the arrears."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from huhang.benefits.dashboard import forms, selectors
from huhang.core import scope
from huhang.core.access import require
from huhang.core.dates import add_months, this_month
from huhang.core.paging import other_params, page_of
from huhang.regions.models import Division, Level


@require_GET
def dashboard(request):
    require(request.user, "benefits.view")
    streets = scope.visible(request.user, Division).filter(level=Level.STREET).order_by("code")
    form = forms.DashboardForm(request.GET or None, streets=streets)
    valid = form.is_valid()
    month = (form.cleaned_data.get("month") if valid else None) or this_month()
    street = form.cleaned_data.get("street", "") if valid else ""
    board = selectors.dashboard(user=request.user, month=month, street=street)
    page = page_of(request, board.arrears)
    query = other_params(request)
    context = {
        "form": form,
        "board": board,
        "page": page,
        "query": query,
        "previous": _shift(month, -1),
        "next": _shift(month, 1),
        "street": street,
    }
    template = "benefits/dashboard/dashboard.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


def _shift(month, months: int) -> str:
    return f"{add_months(month, months):%Y-%m}"
