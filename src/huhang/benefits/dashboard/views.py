"""The 按时足额 page: figures per street of the children the user sees, and the arrears."""

from __future__ import annotations

from django.views.decorators.http import require_GET

from huhang.benefits.dashboard import forms, selectors
from huhang.core.access import require
from huhang.core.dates import add_months, this_month
from huhang.core.paging import render_list


@require_GET
def dashboard(request):
    require(request.user, "benefits.view")
    streets = selectors.streets(user=request.user)
    # The month input always holds the month the page shows (this month when none was asked).
    data = request.GET.copy()
    if not data.get("month"):
        data["month"] = f"{this_month():%Y-%m}"
    form = forms.DashboardForm(data, streets=streets)
    valid = form.is_valid()
    month = (form.cleaned_data.get("month") if valid else None) or this_month()
    street = form.cleaned_data.get("street", "") if valid else ""
    board = selectors.dashboard(user=request.user, month=month, street=street)
    context = {
        "form": form,
        "board": board,
        "previous": _shift(month, -1),
        "next": _shift(month, 1),
        "street": street,
    }
    return render_list(request, "benefits/dashboard/dashboard.html", board.arrears, context)


def _shift(month, months: int) -> str:
    return f"{add_months(month, months):%Y-%m}"
