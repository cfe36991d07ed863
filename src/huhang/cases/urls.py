"""Case-work URLs under /cases/: each area keeps its own module."""

from huhang.cases import urls_cases, urls_emergency, urls_visits

app_name = "cases"
urlpatterns = [*urls_cases.urlpatterns, *urls_visits.urlpatterns, *urls_emergency.urlpatterns]
