"""The audit trail: append-only events of who saw or changed which child's data, when, from where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("查看")
    SEARCH = "search", _("查询")
    EXPORT = "export", _("导出")
    CREATE = "create", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    DOWNLOAD = "download", _("下载")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    OTP_ENROL = "otp_enrol", _("启用两步验证")
    OTP_RESET = "otp_reset", _("重置两步验证")


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One event. Append-only: the model refuses updates and deletes, and so does the database
    (a trigger refuses UPDATE, see migration 0002). The user is kept by id and name, not by a
    foreign key, so that deleting a user never touches its trail.

    Tamper-evident: each event is a link of a hash chain (core.audit_chain). `seq` is its place
    in the chain and `hash` the digest of its content and the previous event's hash, so a row
    rewritten, deleted or inserted behind the application's back breaks the chain at that row
    (`huhang audit verify`). `division` is the acting user's division: an auditor reads the
    events of its own division (the scope rule in core.audit)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user_id = models.BigIntegerField(_("用户ID"), null=True, blank=True, db_index=True)
    username = models.CharField(_("用户"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=32, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    via = models.CharField(_("渠道"), max_length=8, default="web")
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    division = models.CharField(_("所属区划"), max_length=12, blank=True, db_index=True)
    seq = models.BigIntegerField(_("链序号"), unique=True, null=True)
    hash = models.CharField(_("链哈希"), max_length=72, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("审计事件")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The last link of the audit chain (one row). Appending an event locks this row first, so
    two writers never chain to the same predecessor (the chain cannot fork)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=72)

    class Meta:
        verbose_name = verbose_name_plural = _("审计链头")


class AuditArchive(models.Model):
    """Events moved out of the database into an archive file (`huhang audit archive`): the file,
    its digest, and the link the chain was cut at, from which `huhang audit verify` goes on."""

    at = models.DateTimeField(_("归档时间"), default=timezone.now)
    before = models.DateTimeField(_("归档截至"))
    file_name = models.CharField(_("归档文件"), max_length=500)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64)
    first_seq = models.BigIntegerField(_("起始序号"))
    cut_seq = models.BigIntegerField(_("截断序号"), unique=True)
    cut_hash = models.CharField(_("截断哈希"), max_length=72)
    count = models.PositiveIntegerField(_("事件数"))

    class Meta:
        verbose_name = verbose_name_plural = _("审计归档")
        ordering = ["-cut_seq"]


class WorkerBeat(models.Model):
    """The last sign of life of a background-task worker (`huhang db_worker`), one row per
    worker process, written every HUHANG_HEARTBEAT_SECONDS while it runs (core.heartbeat).
    /healthz and `huhang check` read the newest one; a worker that stopped keeps its row with
    the time it was last seen."""

    worker = models.CharField(_("后台任务进程"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("启动时间"), default=timezone.now)
    seen_at = models.DateTimeField(_("最近心跳"), default=timezone.now, db_index=True)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("后台任务心跳")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return self.worker


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


JOB_IN_FLIGHT = (JobStatus.QUEUED, JobStatus.RUNNING)
# The condition of a partial unique index that allows one piece of work in flight at a time.
IN_FLIGHT_ONLY = Q(status__in=["queued", "running"])


class BackgroundWork(models.Model):
    """What every piece of background work records on its row (a job, a screening run): its
    state, the stage reached of how many, its heartbeat and, once over, when and why it failed.
    The process executing it writes it through core.heartbeat.InFlight."""

    status = models.CharField(
        _("状态"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    stage = models.CharField(_("当前阶段"), max_length=100, blank=True)
    stage_done = models.PositiveSmallIntegerField(default=0)
    stage_total = models.PositiveSmallIntegerField(default=1)
    # The heartbeat (core.heartbeat): touched by the executing process while it lives; work in
    # flight that reports nothing for long is taken to have died with its process.
    reported_at = models.DateTimeField(_("进度更新时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def failed_has_error(name: str) -> models.CheckConstraint:
        """The check each concrete model declares under its own name: failed work says why."""
        return models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name=name)

    @property
    def in_flight(self) -> bool:
        return self.status in JOB_IN_FLIGHT

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return 100 * self.stage_done // self.stage_total if self.stage_total else 0


class Job(BackgroundWork):
    """A piece of long work started from a page (a feed import, a payroll computation) and
    executed by the background worker (core.jobs): its progress while it runs, then where its
    result is, or why it failed. Its parameters and result hold keys and counts, never personal
    data. Only the user who started it sees it."""

    kind = models.CharField(_("任务类型"), max_length=32)
    # At most one job in flight per key (e.g. "payroll_run:12": one computation of a run).
    key = models.CharField(max_length=64, blank=True)
    title = models.CharField(_("任务"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The page that shows the result (the batch, the payroll run), once done.
    result_url = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("后台任务")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=IN_FLIGHT_ONLY & ~Q(key=""),
                name="job_one_in_flight_per_key",
            ),
            BackgroundWork.failed_has_error("job_failed_has_error"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class KeyCanary(models.Model):
    """One row: a known text encrypted with the field key the data is encrypted with
    (core.crypto). A key that does not decrypt it is the wrong key: `huhang check` says so and
    the application refuses to encrypt with it."""

    key_id = models.CharField(max_length=8)
    token = models.CharField(max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("字段密钥校验值")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="keycanary_one_row")]

    def __str__(self) -> str:
        return self.key_id
