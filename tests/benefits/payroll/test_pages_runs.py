"""Payroll run pages: list, create, the run page with its lines, and every step behind a
confirmation — compute, approve (never by the computer), export, reconcile, close."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from huhang.benefits import services
from huhang.benefits.models import PayrollRun
from huhang.benefits.payroll import services as payroll
from huhang.core.models import AuditEvent, Job
from tests.factories.benefits import EntitlementFactory, confirmed

LIST = "/benefits/runs/"
NEW = "/benefits/runs/new/"


def page(run, suffix="") -> str:
    return f"/benefits/runs/{run.pk}/{suffix}"


@pytest.fixture
def village_entitled(users, children, standards):
    """张伟 (河东村, 昆河镇), outside the supervisor's street, with a payee."""
    confirmed(
        services.payee_set(
            by=users["bureau"],
            child=children["village"],
            name="张父",
            relation="父亲",
            bank="包商银行",
            account="6200000000001111",
            valid_from=date(2025, 12, 1),
        )
    )
    return EntitlementFactory(
        child=children["village"], programme=standards, starts_on=date(2026, 3, 1)
    )


@pytest.fixture
def draft(users, entitled, standards):
    return payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))


@pytest.fixture
def computed(users, draft):
    return payroll.run_compute(by=users["bureau"], run=draft, today=date(2026, 3, 1))


@pytest.fixture
def approved(bureau2, computed):
    return payroll.run_approve(by=bureau2, run=computed)


def status(run) -> str:
    return PayrollRun.objects.get(pk=run.pk).status


# --- List and create ------------------------------------------------------------------------------


def test_list_shows_runs_with_control_totals(users, computed, login):
    response = login(users["bureau"]).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(f'href="{page(computed)}"') :].split("</tr>")[0]
    assert "2026-03" in row and "已计算" in row and ">6<" in row and "7,800.00" in row


def test_supervisor_sees_its_streets_share_of_a_run(
    users, entitled, village_entitled, standards, login
):
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    assert run.line_count == 7  # 2 children x 3 months + 张伟 for March
    rows = login(users["supervisor"]).get(LIST).context["page"].object_list
    assert [(r.shown_count, r.shown_total) for r in rows] == [(6, "7,800.00")]
    bureau_rows = login(users["bureau"]).get(LIST).context["page"].object_list
    assert [(r.shown_count, r.shown_total) for r in bureau_rows] == [(7, "9,100.00")]


def test_create_a_run(users, standards, login):
    response = login(users["bureau"]).post(NEW, {"programme": "orphan-home", "month": "2026-03"})
    run = PayrollRun.objects.get()
    assert response.status_code == 302 and response["Location"] == page(run)
    assert run.status == "draft" and run.month == date(2026, 3, 1) and not run.supplementary


def test_a_second_regular_run_is_refused_with_a_message(users, draft, login):
    response = login(users["bureau"]).post(NEW, {"programme": "orphan-home", "month": "2026-03"})
    assert response.status_code == 200
    assert "正常发放批次已存在" in response.content.decode()
    assert PayrollRun.objects.count() == 1
    response = login(users["bureau"]).post(
        NEW, {"programme": "orphan-home", "month": "2026-03", "supplementary": "on"}
    )
    assert response.status_code == 302 and PayrollRun.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"programme": "orphan-home", "month": "2026-3-1"}, "请按“年-月”填写月份"),
        ({"programme": "orphan-home", "month": ""}, "这个字段是必填项"),
        ({"programme": "nope", "month": "2026-03"}, "选择一个有效的选项"),
    ],
)
def test_bad_input_creates_nothing(data, message, users, standards, login):
    response = login(users["bureau"]).post(NEW, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not PayrollRun.objects.exists()


@pytest.mark.parametrize("role", ["director", "socialworker", "partner", "dataofficer"])
def test_roles_without_benefits_get_403(role, users, computed, login):
    client = login(users[role])
    for url in (LIST, NEW, page(computed), page(computed, "approve/")):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["supervisor", "auditor"])
def test_readers_cannot_take_steps(role, users, computed, login):
    client = login(users[role])
    assert client.get(page(computed)).status_code == 200
    for suffix in ("compute/", "approve/", "close/", "export/", "reconcile/", "bankfile.xlsx"):
        assert client.get(page(computed, suffix)).status_code == 403, suffix
        if suffix != "export/":  # a page only: its buttons post to the bank-file URLs
            assert client.post(page(computed, suffix)).status_code == 403, suffix
    assert client.post(NEW, {"programme": "orphan-home", "month": "2026-04"}).status_code == 403
    assert status(computed) == "computed"


def test_unknown_run_is_404(users, login):
    client = login(users["bureau"])
    assert client.get("/benefits/runs/999999/").status_code == 404
    assert client.post("/benefits/runs/999999/compute/").status_code == 404


def test_wrong_methods_405(users, computed, login):
    client = login(users["bureau"])
    assert client.post(LIST).status_code == 405
    assert client.post(page(computed)).status_code == 405
    assert client.put(page(computed, "approve/")).status_code == 405
    assert client.post(page(computed, "export/")).status_code == 405
    assert client.delete(page(computed, "bankfile.csv")).status_code == 405


# --- The run page ---------------------------------------------------------------------------------


def test_run_page_lists_lines_with_masked_accounts(users, computed, login):
    response = login(users["bureau"]).get(page(computed))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{computed.pk:06d}-0000001" in html
    assert "王小海" in html and "李梅" in html
    assert "*** **** **** **** 4567" in html and "6222020200001234567" not in html
    assert "1,300.00" in html and "补发" in html  # January and February paid in March
    assert "待发放" in html
    assert AuditEvent.objects.filter(object_type="payroll_run", action="view").exists()


def test_supervisor_sees_only_its_streets_lines(
    users, entitled, village_entitled, standards, login
):
    run = payroll.run_create(by=users["bureau"], programme=standards, month=date(2026, 3, 1))
    payroll.run_compute(by=users["bureau"], run=run, today=date(2026, 3, 1))
    response = login(users["supervisor"]).get(page(run))
    assert response.context["page"].paginator.count == 6
    assert "张伟" not in response.content.decode()
    assert login(users["bureau"]).get(page(run)).context["page"].paginator.count == 7


def test_lines_are_paginated(users, computed, login, settings):
    settings.HUHANG_PAGE_SIZE = 4
    client = login(users["bureau"])
    first = client.get(page(computed))
    second = client.get(page(computed), {"page": 2})
    assert len(first.context["page"]) == 4 and len(second.context["page"]) == 2
    assert "第 1 / 2 页" in first.content.decode()


def test_run_page_query_count_does_not_grow_with_lines(
    users, computed, login, django_assert_num_queries
):
    client = login(users["bureau"])
    # session, user, user's division (menu), run, audit (3), count, page of 6 lines, summary,
    # session save (3): the same with 6 lines or 6,000.
    with django_assert_num_queries(13):
        client.get(page(computed))


def test_run_list_query_count_is_fixed(users, computed, login, django_assert_num_queries):
    client = login(users["supervisor"])
    # session, user, programmes (filter), count, page with scoped sums, division, session save (3)
    with django_assert_num_queries(9):
        client.get(LIST)


# --- The steps ------------------------------------------------------------------------------------


def test_compute_is_confirmed_first(users, draft, login):
    client = login(users["bureau"])
    assert f'href="{page(draft, "compute/")}"' in client.get(page(draft)).content.decode()
    confirm = client.get(page(draft, "compute/"))
    assert confirm.status_code == 200 and "此操作不可撤销" in confirm.content.decode()
    assert status(draft) == "draft"
    # Computed by the background worker (the tests' immediate backend runs it at the commit);
    # the job's page then returns to the run.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(page(draft, "compute/"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{job.pk}/"
    assert client.get(response["Location"])["Location"] == page(draft)
    run = PayrollRun.objects.get(pk=draft.pk)
    assert run.status == "computed" and run.computed_by == users["bureau"] and run.line_count == 6


def test_the_computer_cannot_approve_and_is_told_why(users, computed, login):
    client = login(users["bureau"])
    detail = client.get(page(computed)).content.decode()
    assert page(computed, "approve/") not in detail
    assert "须由另一名工作人员审批" in detail
    confirm = client.get(page(computed, "approve/")).content.decode()
    assert "须由另一名工作人员审批" in confirm and "确认审批" not in confirm
    response = client.post(page(computed, "approve/"))
    assert response.status_code == 200
    assert "计算人不能审批自己计算的批次，须由另一名工作人员审批。" in response.content.decode()
    assert status(computed) == "computed"


def test_a_second_officer_approves(users, bureau2, computed, login):
    client = login(bureau2)
    assert f'href="{page(computed, "approve/")}"' in client.get(page(computed)).content.decode()
    assert "确认审批" in client.get(page(computed, "approve/")).content.decode()
    response = client.post(page(computed, "approve/"))
    assert response.status_code == 302
    run = PayrollRun.objects.get(pk=computed.pk)
    assert run.status == "approved" and run.approved_by == bureau2


def test_a_step_out_of_order_is_refused_with_a_message(users, draft, login):
    client = login(users["bureau"])
    assert "不能进行此操作" in client.get(page(draft, "close/")).content.decode()
    response = client.post(page(draft, "close/"))
    assert response.status_code == 200 and "不能进行此操作" in response.content.decode()
    assert status(draft) == "draft"


def test_export_needs_the_confirmation_page(users, approved, login):
    client = login(users["bureau"])
    response = client.get(page(approved, "bankfile.xlsx"))
    assert response.status_code == 302 and response["Location"] == page(approved, "export/")
    assert status(approved) == "approved"
    confirm = client.get(page(approved, "export/")).content.decode()
    assert "此操作不可撤销" in confirm and "bankfile.csv" in confirm


def test_export_is_refused_before_approval(users, computed, login):
    html = login(users["bureau"]).get(page(computed, "export/")).content.decode()
    assert "只有已审批的批次可以导出银行文件" in html and "bankfile.xlsx" not in html


def _return_file(content: bytes, failed: dict[str, str]) -> bytes:
    """The bank's return file: the exported CSV with 处理结果 and 失败原因 added."""
    rows = list(csv.reader(io.StringIO(content.decode("gb18030"))))
    out = io.StringIO()
    writer = csv.writer(out)
    for n, row in enumerate(rows):
        if n == 0:
            writer.writerow([*row, "处理结果", "失败原因"])
        elif row[0] == "合计":
            writer.writerow([*row, "", ""])
        elif row[0] in failed:
            writer.writerow([*row, "失败", failed[row[0]]])
        else:
            writer.writerow([*row, "成功", ""])
    return out.getvalue().encode("gb18030")


def test_export_reconcile_and_close_on_pages(users, approved, login):
    client = login(users["bureau"])
    response = client.post(page(approved, "bankfile.csv"), {"encoding": "gb18030"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    assert "明细编号" in content.decode("gb18030")
    assert status(approved) == "exported"
    # Once exported, plain links download the same lines again, in either encoding.
    again = client.get(page(approved, "bankfile.csv"), {"encoding": "utf-8"})
    assert again.status_code == 200
    assert b"".join(again.streaming_content).startswith(b"\xef\xbb\xbf")
    xlsx = client.get(page(approved, "bankfile.xlsx"))
    assert b"".join(xlsx.streaming_content).startswith(b"PK")

    first_line = f"{approved.pk:06d}-0000001"
    upload = SimpleUploadedFile(
        "return.csv", _return_file(content, {first_line: "账户已销户"}), "text/csv"
    )
    response = client.post(page(approved, "reconcile/"), {"file": upload, "confirm": "on"})
    assert response.status_code == 302
    assert status(approved) == "reconciled"
    detail = client.get(page(approved)).content.decode()
    assert "失败 1 笔" in detail and "账户已销户" in detail
    response = client.post(page(approved, "close/"))
    assert response.status_code == 302 and status(approved) == "closed"


def test_a_bad_return_file_is_refused_and_changes_nothing(users, approved, login):
    client = login(users["bureau"])
    content = b"".join(
        client.post(page(approved, "bankfile.csv"), {"encoding": "gb18030"}).streaming_content
    )
    tampered = _return_file(content, {}).replace(b"7800.00", b"7900.00")
    upload = SimpleUploadedFile("return.csv", tampered, "text/csv")
    response = client.post(page(approved, "reconcile/"), {"file": upload, "confirm": "on"})
    assert response.status_code == 200
    assert "与本批次的 6 笔、7800.00 元不符" in response.content.decode()
    assert status(approved) == "exported"


def test_reconcile_needs_the_confirmation_box(users, approved, login):
    client = login(users["bureau"])
    b"".join(client.post(page(approved, "bankfile.xlsx")).streaming_content)
    upload = SimpleUploadedFile("return.csv", b"x", "text/csv")
    response = client.post(page(approved, "reconcile/"), {"file": upload})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert status(approved) == "exported"


def test_reconcile_before_export_says_why(users, approved, login):
    html = login(users["bureau"]).get(page(approved, "reconcile/")).content.decode()
    assert "只有已导出的批次可以对账" in html
