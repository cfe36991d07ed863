"""The student lists under /benefits/scholarship/ and /benefits/autumn-aid/ (names in the
"benefits" namespace)."""

from django.urls import path

from huhang.benefits.students import views
from huhang.benefits.students.services import AUTUMN_AID, SCHOLARSHIP

urlpatterns = [
    path("scholarship/", views.student_list, {"code": SCHOLARSHIP}, name="scholarship_list"),
    path(
        "scholarship/new/", views.student_create, {"code": SCHOLARSHIP}, name="scholarship_create"
    ),
    path("scholarship/<int:pk>/leave/", views.scholarship_leave, name="scholarship_leave"),
    path("autumn-aid/", views.student_list, {"code": AUTUMN_AID}, name="autumn_aid_list"),
    path("autumn-aid/new/", views.student_create, {"code": AUTUMN_AID}, name="autumn_aid_create"),
]
