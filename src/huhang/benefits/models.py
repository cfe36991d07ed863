"""Guarantee funds (保障资金): programmes and their standards, entitlements with suspensions,
payees with encrypted accounts, payroll runs and their lines.

The money rules live in the database too: a child, a programme, a month and a standard are paid
at most once (a partial unique index over the lines that did not fail); the approver of a run is
not its computer; a run's total equals its lines' sum once approved; an exported run's lines
cannot change except for the bank's result (triggers, migration 0002).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core.fields import optional_fk, user_fk
from huhang.registry.fields import child_fk


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("按月")
    YEARLY = "yearly", _("每学年一次")
    ONCE = "once", _("一次性")


class Programme(models.Model):
    """orphan-home, orphan-institution, dfuc, scholarship, autumn-aid (stable codes)."""

    code = models.CharField(_("项目代码"), max_length=24, primary_key=True)
    name = models.CharField(_("项目名称"), max_length=100)
    frequency = models.CharField(_("发放频率"), max_length=8, choices=Frequency.choices)
    category = models.CharField(_("对应类别"), max_length=16, blank=True)
    living = models.CharField(_("养育方式"), max_length=16, blank=True)
    due_day = models.PositiveSmallIntegerField(_("每月发放截止日"), default=10)
    # The bank file template of the programme's runs (benefits.payroll.banktemplates), where
    # the payee's bank has none of its own.
    bank_template = models.CharField(_("银行文件模板"), max_length=16, default="default")

    # Not columns: attached by benefits.selectors.programme_list for the programmes page.
    standard_rows: list[Standard]
    current: Standard | None

    class Meta:
        verbose_name = verbose_name_plural = _("保障项目")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Standard(models.Model):
    """An amount per period from a month on; a later month's row supersedes it from that month.
    A back-dated row makes the next run pay the difference (补发) for the months concerned.

    Rows are never changed once written (lines point at the row they paid): correcting a month's
    amount adds a new revision for the same month, and the latest revision is the one in force.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="standards")
    effective_from = models.DateField(_("生效月份"))
    revision = models.PositiveSmallIntegerField(_("修订次数"), default=1)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)
    set_by = user_fk(_("设定人"), null=True, blank=True)
    set_at = models.DateTimeField(default=timezone.now)

    # Not columns: attached by benefits.selectors.programme_list.
    yuan: str
    future: bool
    superseded: bool

    class Meta:
        verbose_name = verbose_name_plural = _("保障标准")
        ordering = ["programme", "effective_from", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "effective_from", "revision"], name="standard_revision_once"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="standard_positive"),
        ]


class Payee(models.Model):
    """Who receives a child's money (guardian or institution). The account number is stored
    encrypted (core.crypto) and shown masked everywhere but in the bank file."""

    child = child_fk("payees", label=None)
    name = models.CharField(_("收款人姓名"), max_length=64)
    relation = models.CharField(_("与儿童关系"), max_length=32)
    bank = models.CharField(_("开户行"), max_length=100)
    account_cipher = models.TextField(editable=False)
    account_last4 = models.CharField(max_length=4, editable=False)
    valid_from = models.DateField(_("启用日期"))
    created_by = user_fk(_("登记人"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Four eyes: a new or changed account is confirmed by a second officer before a payroll
    # run pays it (benefits.payroll.compute skips a child whose current payee is unconfirmed).
    confirmed_by = user_fk(_("确认人"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    # Not columns: attached by benefits.selectors.payee_list.
    masked_account: str
    current: bool

    class Meta:
        verbose_name = verbose_name_plural = _("收款人")
        ordering = ["child", "-valid_from", "-pk"]
        indexes = [models.Index(fields=["child", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("created_by")),
                name="payee_confirmer_is_not_creator",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | Q(confirmed_at__isnull=False),
                name="payee_confirmation_has_time",
            ),
        ]


class Entitlement(models.Model):
    """A child's right to a programme's payments from one month to another (inclusive)."""

    child = child_fk("entitlements", label=None)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="entitlements")
    starts_on = models.DateField(_("起始月份"))
    ends_on = models.DateField(_("截止月份"), null=True, blank=True)
    assignment = optional_fk("registry.CategoryAssignment", related_name="entitlements")
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    created_by = user_fk(_("登记人"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # Not columns: what the entitlement and student lists attach for their pages
    # (benefits.selectors, benefits.students.selectors), beside the `paid_fen` they annotate.
    paid_yuan: str
    open_suspension: Suspension | None
    past_suspensions: list[Suspension]
    school_year: str
    last_school_year: str

    class Meta:
        verbose_name = verbose_name_plural = _("享受资格")
        indexes = [models.Index(fields=["programme", "starts_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "programme", "starts_on"], name="entitlement_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="entitlement_dates_ordered",
            ),
        ]


class Suspension(models.Model):
    """停发: no payment for the months from `from_month` to `to_month` (open while null)."""

    entitlement = models.ForeignKey(
        Entitlement, on_delete=models.CASCADE, related_name="suspensions"
    )
    from_month = models.DateField(_("停发起始月份"))
    to_month = models.DateField(_("停发截止月份"), null=True, blank=True)
    reason = models.CharField(_("停发原因"), max_length=200)
    resume_reason = models.CharField(_("恢复原因"), max_length=200, blank=True)
    suspended_by = user_fk(_("停发操作人"))
    resumed_by = user_fk(_("恢复操作人"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(to_month__isnull=True) | Q(to_month__gte=F("from_month")),
                name="suspension_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["entitlement"],
                condition=Q(to_month__isnull=True),
                name="suspension_one_open",
            ),
        ]


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COMPUTED = "computed", _("已计算")
    APPROVED = "approved", _("已审批")
    EXPORTED = "exported", _("已导出")
    RECONCILED = "reconciled", _("已对账")
    CLOSED = "closed", _("已关闭")


class PayrollRun(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="runs")
    month = models.DateField(_("发放月份"))
    supplementary = models.BooleanField(_("补充发放"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_fen = models.BigIntegerField(_("总金额（分）"), default=0)
    created_by = user_fk(_("创建人"))
    created_at = models.DateTimeField(default=timezone.now)
    computed_by = user_fk(_("计算人"), null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    approved_by = user_fk(_("审批人"), null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_by = user_fk(_("导出人"), null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    reconciled_by = user_fk(_("对账人"), null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Not a column: attached by benefits.payroll.selectors.decorate_runs for the list of runs
    # (from the `shown_fen` run_list annotates).
    shown_total: str

    class Meta:
        verbose_name = verbose_name_plural = _("发放批次")
        ordering = ["-month", "programme", "-pk"]
        constraints = [
            # One regular run per programme and month, even if two are started at once.
            models.UniqueConstraint(
                fields=["programme", "month"],
                condition=Q(supplementary=False),
                name="run_one_regular_per_month",
            ),
            # The second-approver rule.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("computed_by")),
                name="run_approver_is_not_computer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "computed"]) | Q(approved_by__isnull=False),
                name="run_past_approval_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.month:%Y-%m}" + (" +" if self.supplementary else "")


class LineStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("成功")
    FAILED = "failed", _("失败")


class PayrollLine(models.Model):
    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="lines")
    seq = models.PositiveIntegerField()
    child = child_fk("payroll_lines", label=None)
    # Always the run's programme (kept here for the unique index). The database checks that
    # equality when lines are inserted (trigger, migration 0005) instead of a foreign key: one
    # statement-level check rather than a key lookup per line of a million-line run.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    for_month = models.DateField(_("所属月份"))
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    payee_name = models.CharField(_("收款人姓名"), max_length=64)
    payee_bank = models.CharField(_("开户行"), max_length=100)
    payee_account_cipher = models.TextField()
    payee_account_last4 = models.CharField(max_length=4)
    status = models.CharField(
        _("结果"), max_length=8, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)

    # Not columns: attached by benefits.payroll.selectors.decorate_lines for the run's page.
    yuan: str
    masked_account: str

    class Meta:
        verbose_name = verbose_name_plural = _("发放明细")
        ordering = ["run", "seq"]
        indexes = [
            models.Index(fields=["programme", "child", "for_month"]),
            models.Index(fields=["child", "for_month"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="line_seq_unique"),
            # 一人一项目一月一标准只发一次: whatever happens (two runs at once, a rerun, a crash
            # and rerun), only a failed line may be paid again.
            models.UniqueConstraint(
                fields=["child", "programme", "for_month", "standard"],
                condition=~Q(status="failed"),
                name="line_paid_at_most_once",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="line_positive"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""),
                name="line_failure_has_reason",
            ),
        ]

    @property
    def line_id(self) -> str:
        """明细编号 as written in the bank file: run and sequence, unique across all runs."""
        return f"{self.run_id:06d}-{self.seq:07d}"


class Calendar(models.Model):
    """First days of months, 2000–2099: lets set-based SQL expand entitlements into months on
    both engines without vendor-specific series functions. Filled by migration 0002."""

    month = models.DateField(primary_key=True)
    # September: the month a yearly (school-year) programme such as the scholarship pays.
    school_year_start = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("月份表")
