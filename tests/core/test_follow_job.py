"""core.views.follow_job: work queued from a page is followed on the job's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import reverse
from django.utils.translation import gettext_lazy

from huhang.core.models import Job
from huhang.core.views import follow_job


def test_follow_job_says_so_and_goes_to_the_jobs_page(rf, users):
    job = Job.objects.create(kind="test", title="测试任务", requested_by=users["bureau"])
    request = rf.post("/")
    request._messages = CookieStorage(request)
    response = follow_job(request, job, gettext_lazy("正在后台计算，完成后本页转到批次。"))
    assert response.status_code == 302
    assert response.url == reverse("core:job_detail", args=[job.pk])
    [said] = list(messages.get_messages(request))
    assert said.level == messages.INFO
    assert said.message == "正在后台计算，完成后本页转到批次。"
