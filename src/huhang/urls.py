from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from huhang.api.api import api

urlpatterns = [
    path("", include("huhang.workbench.urls")),
    path("", include("huhang.core.urls")),
    path("accounts/", include("huhang.accounts.urls")),
    path("children/", include("huhang.registry.urls")),
    path("cases/", include("huhang.cases.urls")),
    path("benefits/", include("huhang.benefits.urls")),
    path("screening/", include("huhang.screening.urls")),
    path("community/", include("huhang.community.urls")),
    path("reports/", include("huhang.reports.urls")),
    path("api/", api.urls),
    # One way in for everyone, the admin's staff too: the application's login, with its lockout,
    # two-factor step and audit trail (the admin's own login form has none of them).
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
]
