"""Training pages: thin views — access → form → service → response."""

from __future__ import annotations

from functools import partial

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from huhang.community.trainings import forms, selectors, services
from huhang.core.access import may_change, require
from huhang.core.forms import run_service
from huhang.core.views import create_view, done, list_view, to_page

RECORD = "community/trainings/record.html"


training_list = list_view(
    "community.view", "community/trainings/list.html", selectors.training_list
)


_to_training = to_page("community:training_detail")


training_create = create_view(
    "training.manage",
    lambda request: forms.TrainingForm(request.POST or None, user=request.user),
    services.training_create,
    gettext_lazy("登记培训"),
    gettext_lazy("培训已登记。"),
    _to_training,
)


@require_http_methods(["GET", "POST"])
def training_detail(request, pk: int):
    require(request.user, "community.view")
    training = selectors.training_for_user(user=request.user, pk=pk)
    form = None
    if may_change(request, "training.manage"):
        initial = {"attendees": list(training.attendees.all())}
        form = forms.AttendanceForm(request.POST or None, initial=initial, user=request.user)
        if request.method == "POST" and form.is_valid():
            record = partial(services.training_attendance_set, by=request.user, training=training)
            if run_service(form, lambda: record(**form.cleaned_data)):
                return done(request, _("签到已保存。"), _to_training(training))
    attendance = selectors.training_attendance(training=training)
    context = {"training": training, "attendance": attendance, "form": form}
    return render(request, "community/trainings/detail.html", context)


def my_trainings(request):
    require(request.user, "community.view")
    record = selectors.training_record(user=request.user, person=request.user)
    return render(request, RECORD, {"record": record, "mine": True})


training_people = list_view(
    "training.manage", "community/trainings/people.html", selectors.training_people_hours
)


def person_trainings(request, pk: int):
    require(request.user, "training.manage")
    person = selectors.person_for_user(user=request.user, pk=pk)
    record = selectors.training_record(user=request.user, person=person)
    return render(request, RECORD, {"record": record})
