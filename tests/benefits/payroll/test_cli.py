"""`huhang payroll ...` end to end, through the real entry point: one JSON object on stdout and
exit 0 per step; one line on stderr and a non-zero exit when refused."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import base, execute_from_command_line
from django.db import IntegrityError

from huhang.benefits import services
from huhang.benefits.models import PayrollLine, PayrollRun, RunStatus
from huhang.benefits.payroll import compute
from huhang.core.models import AuditEvent
from tests.factories.benefits import confirmed
from tests.factories.registry import CategoryFactory


@pytest.fixture
def huhang(monkeypatch, capsys):
    """Run `huhang payroll ARGS...` as the shell would; returns (exit code, stdout, stderr)."""
    # run_from_argv closes every connection when it ends, which would end the test's
    # transaction; the command itself does not depend on that.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            execute_from_command_line(["huhang", "payroll", *argv])
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def ok(result) -> dict:
    code, out, err = result
    assert code == 0, err
    assert out.count("\n") == 1  # exactly one line: one JSON object
    payload = json.loads(out)
    assert set(payload) == {"run", "status", "lines", "total"}
    return payload


def refused(result) -> str:
    code, out, err = result
    assert code != 0
    assert out == ""
    message = err.strip()
    assert message and "\n" not in message
    return message


def mark_failed(path, line_id: str, reason: str) -> None:
    """What the bank sends back: the file with 处理结果 and 失败原因 appended."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"), newline="")))
    header, lines, summary = rows[0], rows[1:-1], rows[-1]
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([*header, "处理结果", "失败原因"])
    for line in lines:
        writer.writerow([*line, "失败", reason] if line[0] == line_id else [*line, "成功", ""])
    writer.writerow(summary)
    path.write_bytes(text.getvalue().encode("gb18030"))


def test_a_month_from_run_to_close(huhang, users, bureau2, entitled, standards, children, tmp_path):
    computed = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))
    run = computed["run"]
    # January to March for two children at 1,300.00.
    assert computed == {"run": run, "status": "computed", "lines": 6, "total": "7800.00"}

    assert ok(huhang("approve", str(run), "--user", "bureau2"))["status"] == "approved"

    bank = tmp_path / "march.csv"
    exported = ok(huhang("export", str(run), "--format", "csv", "--out", str(bank)))
    assert exported == {"run": run, "status": "exported", "lines": 6, "total": "7800.00"}
    assert bank.read_bytes().decode("gb18030").startswith("明细编号,收款人姓名,收款人账号")
    assert PayrollRun.objects.get(pk=run).exported_by == bureau2  # the approver, by default

    failed = PayrollLine.objects.get(
        run_id=run, child=children["xiaohai"], for_month=date(2026, 3, 1)
    )
    mark_failed(bank, failed.line_id, "账户冻结")
    reconciled = ok(huhang("reconcile", str(run), str(bank), "--user", "bureau"))
    assert reconciled == {"run": run, "status": "reconciled", "lines": 6, "total": "7800.00"}
    failed.refresh_from_db()
    assert (failed.status, failed.failure_reason) == ("failed", "账户冻结")
    assert PayrollLine.objects.filter(run_id=run, status="paid").count() == 5

    assert ok(huhang("close", str(run), "--user", "bureau"))["status"] == "closed"

    # April pays April for both children and the failed March line once more.
    april = ok(huhang("run", "orphan-home", "2026-04", "--user", "bureau"))
    assert (april["lines"], april["total"]) == (3, "3900.00")

    steps = AuditEvent.objects.filter(object_type="payroll_run", object_id=str(run))
    assert [e.detail["step"] for e in steps.order_by("pk")] == [
        "created",
        "computed",
        "approved",
        "exported",
        "reconciled",
        "closed",
    ]
    assert {e.via for e in steps} == {"cli"}


def test_xlsx_export_with_an_explicit_user(huhang, users, bureau2, entitled, standards, tmp_path):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    ok(huhang("approve", str(run), "--user", "bureau2"))
    out = tmp_path / "march.xlsx"
    result = ok(
        huhang("export", str(run), "--format", "xlsx", "--out", str(out), "--user", "bureau")
    )
    assert result["status"] == "exported"
    assert out.read_bytes().startswith(b"PK\x03\x04")
    assert out.stat().st_mode & 0o077 == 0  # full account numbers: private to the owner
    assert PayrollRun.objects.get(pk=run).exported_by == users["bureau"]


def test_utf8_csv_export(huhang, users, bureau2, entitled, standards, tmp_path):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    ok(huhang("approve", str(run), "--user", "bureau2"))
    out = tmp_path / "march.csv"
    ok(huhang("export", str(run), "--format", "csv", "--encoding", "utf-8", "--out", str(out)))
    assert out.read_bytes().startswith("\ufeff明细编号".encode())


def test_a_supplementary_run(huhang, users, entitled, standards):
    ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))
    extra = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau", "--supplementary"))
    assert (extra["status"], extra["lines"], extra["total"]) == ("computed", 0, "0.00")
    assert PayrollRun.objects.get(pk=extra["run"]).supplementary


def test_approved_categories_are_covered_by_the_run(huhang, users, entitled, standards, children):
    village = children["village"]
    confirmed(
        services.payee_set(
            by=users["bureau"],
            child=village,
            name="张伟的祖母",
            relation="祖母",
            bank="内蒙古农村信用社",
            account="6229000011112222",
            valid_from=date(2025, 12, 1),
        )
    )
    CategoryFactory(
        child=village, category="orphan", approved=True, effective_from=date(2026, 1, 15)
    )
    result = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))
    # 6 lines as before, and February and March for 张伟 (paid from the month after approval).
    assert (result["lines"], result["total"]) == (8, "10400.00")


# --- Refusals -----------------------------------------------------------------------------------


def test_the_computer_cannot_approve(huhang, users, entitled, standards):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    assert "计算人不能审批" in refused(huhang("approve", str(run), "--user", "bureau"))
    assert PayrollRun.objects.get(pk=run).status == RunStatus.COMPUTED


def test_a_second_regular_run_for_the_same_month(huhang, users, entitled, standards):
    ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))
    assert "已存在" in refused(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))
    assert PayrollRun.objects.count() == 1


def test_unknown_programme(huhang, users, standards):
    message = refused(huhang("run", "orphan-nowhere", "2026-03", "--user", "bureau"))
    assert "orphan-nowhere" in message and "orphan-home" in message
    assert not PayrollRun.objects.exists()


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March", "2026-03-01"])
def test_bad_month(huhang, users, standards, month):
    assert "YYYY-MM" in refused(huhang("run", "orphan-home", month, "--user", "bureau"))
    assert not PayrollRun.objects.exists()


def test_unknown_user_and_unknown_run(huhang, users, standards):
    assert "nobody" in refused(huhang("run", "orphan-home", "2026-03", "--user", "nobody"))
    assert "4242" in refused(huhang("approve", "4242", "--user", "bureau"))


def test_a_role_without_the_right(huhang, users, entitled, standards):
    refused(huhang("run", "orphan-home", "2026-03", "--user", "auditor"))
    assert not PayrollRun.objects.exists()


def test_a_refused_computation_leaves_no_draft_behind(
    huhang, users, entitled, standards, monkeypatch
):
    def clash(**kwargs):
        # What the unique index does when another run paid the same months meanwhile.
        raise IntegrityError("line_paid_at_most_once")

    with monkeypatch.context() as patch:
        patch.setattr(compute, "insert_lines", clash)
        assert "另一批次" in refused(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))
    # Created and refused in one transaction: no draft is left to block the month.
    assert not PayrollRun.objects.exists()
    assert ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["lines"] == 6


def test_the_out_file_must_be_writable(huhang, users, bureau2, entitled, standards, tmp_path):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    ok(huhang("approve", str(run), "--user", "bureau2"))
    nowhere = tmp_path / "no-such-directory" / "march.csv"
    assert "无法写入" in refused(
        huhang("export", str(run), "--format", "csv", "--out", str(nowhere))
    )
    assert "是目录" in refused(
        huhang("export", str(run), "--format", "csv", "--out", str(tmp_path))
    )
    assert list(tmp_path.iterdir()) == []
    assert PayrollRun.objects.get(pk=run).status == RunStatus.APPROVED


def test_export_before_approval_writes_nothing(huhang, users, entitled, standards, tmp_path):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    out = tmp_path / "march.csv"
    refused(huhang("export", str(run), "--format", "csv", "--out", str(out)))
    refused(huhang("export", str(run), "--format", "csv", "--out", str(out), "--user", "bureau"))
    assert list(tmp_path.iterdir()) == []
    assert PayrollRun.objects.get(pk=run).status == RunStatus.COMPUTED


def test_encoding_is_for_csv_only(huhang, users, bureau2, entitled, standards, tmp_path):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    ok(huhang("approve", str(run), "--user", "bureau2"))
    out = tmp_path / "march.xlsx"
    refused(
        huhang("export", str(run), "--format", "xlsx", "--encoding", "utf-8", "--out", str(out))
    )
    assert list(tmp_path.iterdir()) == []
    assert PayrollRun.objects.get(pk=run).status == RunStatus.APPROVED


def test_a_bad_return_file_is_refused(huhang, users, bureau2, entitled, standards, tmp_path):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    ok(huhang("approve", str(run), "--user", "bureau2"))
    bank = tmp_path / "march.csv"
    ok(huhang("export", str(run), "--format", "csv", "--out", str(bank)))
    # Sent back unchanged: no 处理结果 column.
    assert "处理结果" in refused(huhang("reconcile", str(run), str(bank), "--user", "bureau"))
    missing = tmp_path / "none.csv"
    assert "none.csv" in refused(huhang("reconcile", str(run), str(missing), "--user", "bureau"))
    assert PayrollRun.objects.get(pk=run).status == RunStatus.EXPORTED
    assert set(PayrollLine.objects.values_list("status", flat=True)) == {"pending"}


def test_closing_before_reconciliation(huhang, users, entitled, standards):
    run = ok(huhang("run", "orphan-home", "2026-03", "--user", "bureau"))["run"]
    refused(huhang("close", str(run), "--user", "bureau"))
    assert PayrollRun.objects.get(pk=run).status == RunStatus.COMPUTED


def test_an_unknown_step(huhang, users):
    code, out, err = huhang("pay-everyone")
    assert code != 0 and out == "" and "pay-everyone" in err
