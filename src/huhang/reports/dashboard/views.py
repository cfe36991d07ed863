"""The dashboard of a division (GET /reports/). Access: reports.view (403 without it); which
division: core.scope (404 outside the user's subtree)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huhang.core.access import require
from huhang.core.exports import XLSX_CONTENT_TYPE
from huhang.core.views import download
from huhang.reports import forms, selectors, xlsx
from huhang.reports.dashboard import selectors as dashboard_selectors


@require_GET
def dashboard(request):
    require(request.user, "reports.view")
    division = selectors.division_for_user(user=request.user, code=request.GET.get("division"))
    board = dashboard_selectors.dashboard(user=request.user, division=division)
    form = forms.DashboardForm(
        initial={"division": division.code},
        divisions=selectors.report_divisions(user=request.user),
    )
    return render(request, "reports/dashboard/dashboard.html", {"board": board, "form": form})


@require_GET
def dashboard_xlsx(request):
    require(request.user, "reports.view")
    division = selectors.division_for_user(user=request.user, code=request.GET.get("division"))
    board = dashboard_selectors.dashboard(user=request.user, division=division, export="xlsx")
    title = _("%(division)s统计看板") % {"division": division.full_name}
    period = _("截至 %(day)s") % {"day": board.today.isoformat()}
    content = xlsx.tables_workbook(title, period, dashboard_selectors.dashboard_tables(board))
    return download(content, XLSX_CONTENT_TYPE, f"{title}.xlsx")
