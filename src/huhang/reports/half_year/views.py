"""The half-year report (GET /reports/half-year/) as a page and as a workbook. Access:
reports.view (403 without it); which division: core.scope (404 outside the user's subtree)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huhang.core.access import require
from huhang.core.exports import XLSX_CONTENT_TYPE
from huhang.core.views import download
from huhang.reports import selectors, xlsx
from huhang.reports.half_year import forms
from huhang.reports.half_year import selectors as report_selectors
from huhang.reports.periods import HalfYear

PAGE = "reports/half_year/report.html"


def _report_request(request):
    """(form, division, period) of a report request; period is None when the form is invalid."""
    require(request.user, "reports.view")
    division = selectors.division_for_user(user=request.user, code=request.GET.get("division"))
    today = timezone.localdate()
    data = {
        "division": division.code,
        "period": HalfYear.containing(today).key,
        **request.GET.dict(),
    }
    form = forms.ReportForm(
        data, divisions=selectors.report_divisions(user=request.user), today=today
    )
    period = form.cleaned_data["period"] if form.is_valid() else None
    return form, division, period


@require_GET
def half_year(request):
    form, division, period = _report_request(request)
    report = None
    if period is not None:
        report = report_selectors.half_year_report(
            user=request.user, division=division, period=period
        )
    status = 200 if period is not None else 400
    return render(request, PAGE, {"form": form, "report": report}, status=status)


@require_GET
def half_year_xlsx(request):
    form, division, period = _report_request(request)
    if period is None:
        return render(request, PAGE, {"form": form}, status=400)
    report = report_selectors.half_year_report(
        user=request.user, division=division, period=period, export="xlsx"
    )
    name = _("%(division)s%(period)s半年工作报告") % {
        "division": division.name,
        "period": period.key,
    }
    name += ".xlsx"
    content = xlsx.tables_workbook(report.title, str(report.period.label), report.tables)
    return download(content, XLSX_CONTENT_TYPE, name)
