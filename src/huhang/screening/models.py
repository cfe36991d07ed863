"""Precise screening (精准排查): feed batches, link decisions, screening runs and leads.

The department rows themselves are not here: each imported batch is a Parquet snapshot under the
data directory (see `analytics/schema.py`). The database keeps what people read and decide on:
the batch metadata and its rejected rows, the uncertain links waiting for a person, the runs,
and the leads (线索) with their workflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.accounts.models import Department
from huhang.core.fields import (
    BlindIndexField,
    EncryptedIdField,
    division_fk,
    optional_fk,
    user_fk,
)
from huhang.core.models import IN_FLIGHT_ONLY, JOB_IN_FLIGHT, BackgroundWork, JobStatus

if TYPE_CHECKING:
    from huhang.registry.models import Document


class FeedBatch(models.Model):
    """One imported file (a department's full snapshot as of a date)."""

    source = models.CharField(_("数据来源"), max_length=16, choices=Department.choices)
    as_of = models.DateField(_("数据日期"))
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小"))
    # SHA-256 of the file's bytes: the same file imported twice is recognised and stores nothing.
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    accepted = models.PositiveIntegerField(_("接收"), default=0)
    rejected = models.PositiveIntegerField(_("拒收"), default=0)
    # Every rejected cell, counted (only the first HUHANG_FEED_ERRORS_KEPT are FeedError rows):
    # the total, and [column, reason, count] triples, most frequent first.
    error_total = models.PositiveIntegerField(_("拒收单元格"), default=0)
    error_counts = models.JSONField(_("拒收原因统计"), default=list, blank=True)
    # Messages about the file as a whole (e.g. an ID column stored as numbers).
    notices = models.JSONField(_("文件提示"), default=list, blank=True)
    # Path of the Parquet snapshot, relative to the data directory.
    snapshot = models.CharField(max_length=255, blank=True)
    imported_by = user_fk(_("导入人"), null=True, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("数据批次")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "sha256"], name="feedbatch_source_file_unique"
            ),
            models.CheckConstraint(
                condition=Q(accepted__lte=models.F("rows")) & Q(rejected__lte=models.F("rows")),
                name="feedbatch_counts_within_rows",
            ),
            # A batch that accepted no row never has a snapshot (never the current one).
            models.CheckConstraint(
                condition=Q(accepted__gt=0) | Q(snapshot=""),
                name="feedbatch_snapshot_needs_rows",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} #{self.pk} ({self.as_of})"


class FeedError(models.Model):
    """A rejected row (or cell) of a batch, with its spreadsheet row number (header = 1)."""

    batch = models.ForeignKey(FeedBatch, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=64, blank=True)
    message = models.CharField(_("原因"), max_length=255)

    class Meta:
        verbose_name = verbose_name_plural = _("拒收记录")
        ordering = ["batch", "row", "id"]
        indexes = [models.Index(fields=["batch", "row"], name="feederror_batch_row")]


class LinkStatus(models.TextChoices):
    OPEN = "open", _("待复核")
    LINKED = "linked", _("确认为同一人")
    DISTINCT = "distinct", _("不是同一人")


class LinkReview(models.Model):
    """A feed row without an ID number that the linker could not link with certainty.

    Certain links are applied by the screening itself (kept beside the batch's snapshot); these
    wait for a supervisor, who says whether the row is the candidate person or not."""

    batch = models.ForeignKey(FeedBatch, on_delete=models.CASCADE, related_name="link_reviews")
    row = models.PositiveIntegerField(_("行号"))
    # What the row says (display keeps the original spelling).
    name = models.CharField(_("姓名"), max_length=64)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    detail = models.JSONField(_("其他信息"), default=dict, blank=True)
    # The best candidate from the population register.
    # Encrypted at rest (core.crypto), found through its blind index.
    candidate_id_number = EncryptedIdField(_("候选人身份号码"), index_field="candidate_id_index")
    candidate_id_index = BlindIndexField(source="candidate_id_number", null=False, default="")
    candidate_name = models.CharField(_("候选人姓名"), max_length=64)
    candidate_birth_date = models.DateField(_("候选人出生日期"), null=True, blank=True)
    candidate_region_code = models.CharField(max_length=12, blank=True)
    match_probability = models.FloatField(_("匹配概率"))
    division = division_fk(_("所属区域"), related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.OPEN
    )
    resolved_by = user_fk(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("待复核匹配")
        ordering = ["status", "-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "row", "candidate_id_index"],
                name="linkreview_row_candidate_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(resolved_by__isnull=False),
                name="linkreview_resolved_has_resolver",
            ),
        ]


class Engine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    SPARK = "spark", "Apache Spark"


# A run goes through the states of any background work.
RunStatus = JobStatus
IN_FLIGHT = JOB_IN_FLIGHT


class ScreeningRun(BackgroundWork):
    """One screening: requested (queued), executed by the background task or the command line
    (running, with its stage), then done with its counts or failed with the reason."""

    as_of = models.DateField(_("排查基准日"))
    engine = models.CharField(_("引擎"), max_length=8, choices=Engine.choices)
    # The division screened (the installation's root): at most one run in flight per root.
    root = models.CharField(_("排查范围"), max_length=12, default="")
    # Progress (BackgroundWork): a stage is a step's name; the total is set when requested.
    stage = models.CharField(_("当前阶段"), max_length=32, blank=True)
    stage_total = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    started_by = user_fk(null=True, blank=True)
    # The batches read (ids per source) and the counts: found, new, unchanged, by kind.
    batches = models.JSONField(default=dict, blank=True)
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("排查")
        ordering = ["-started_at", "-id"]
        constraints = [
            # Two screenings at once would raise the same new leads twice.
            models.UniqueConstraint(
                fields=["root"], condition=IN_FLIGHT_ONLY, name="screening_run_one_in_flight"
            ),
            BackgroundWork.failed_has_error("screening_run_failed_has_error"),
        ]


class LeadKind(models.TextChoices):
    """Stable codes (used by the CLI and the API) with the labels a bureau officer uses."""

    ORPHAN = "orphan", _("疑似孤儿")
    DFUC = "dfuc", _("疑似事实无人抚养儿童")
    DIFFICULTY = "difficulty", _("疑似困境儿童")
    LEFT_BEHIND = "left_behind", _("疑似留守儿童")
    MIGRANT = "migrant", _("流动儿童")
    SCHOLARSHIP = "scholarship", _("孤儿助学（福彩圆梦）")
    AUTUMN_AID = "autumn_aid", _("金秋助学")
    TURNED_18 = "turned_18", _("年满18周岁")
    DECEASED = "deceased", _("死亡")
    ADOPTED = "adopted", _("被收养")
    MOVED_OUT = "moved_out", _("迁出本区")
    SITUATION_ENDED = "situation_ended", _("父母情形消失")
    TURNED_16 = "turned_16", _("年满16周岁")
    # The feeds no longer support a category held, and show no ending: a person decides.
    REVIEW = "review", _("认定依据待复查")
    # 查找不到生父母: a parent the population register does not name (review, no category).
    PARENT_UNKNOWN = "parent_unknown", _("父母信息缺失待核查")
    # A DFUC child with 户籍 elsewhere: the application belongs at the 户籍地.
    REFERRAL = "referral", _("转户籍地申请")


# Kinds that end a category rather than start one.
ENDING_KINDS = frozenset(
    {
        LeadKind.TURNED_18,
        LeadKind.DECEASED,
        LeadKind.ADOPTED,
        LeadKind.MOVED_OUT,
        LeadKind.SITUATION_ENDED,
        LeadKind.TURNED_16,
        LeadKind.REVIEW,
    }
)
# Kinds that ask a person to act and change nothing in the registry when approved (the decision
# is recorded; a category, if any, goes through its own proposal in the archive).
NOTICE_KINDS = frozenset({LeadKind.PARENT_UNKNOWN, LeadKind.REFERRAL})


class LeadStatus(models.TextChoices):
    NEW = "new", _("待核实")
    VERIFIED = "verified", _("已核实，待复核")
    REVIEWED = "reviewed", _("已复核，待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已退回")


class Lead(models.Model):
    """A hit of the screening rules: a child who seems to qualify for (or no longer qualify for)
    something, with the evidence, routed to the child director of its community."""

    kind = models.CharField(_("线索类型"), max_length=16, choices=LeadKind.choices)
    # Who: the ID number's blind index ("id:<index>", core.crypto) when known; otherwise a stable
    # key from the feed (e.g. "edu:<学籍号>").
    person_key = models.CharField(max_length=48)
    # Encrypted at rest (core.crypto).
    id_number = EncryptedIdField(_("公民身份号码"), blank=True)
    id_index = BlindIndexField(source="id_number", db_index=True)
    name = models.CharField(_("姓名"), max_length=64)
    sex = models.CharField(_("性别"), max_length=1, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    # The child's record in the registry, when it has one.
    child = optional_fk("registry.Child", _("儿童档案"), related_name="leads")
    # The category this lead would start or end (orphan, dfuc, ...); blank for scholarship kinds.
    category = models.CharField(_("类别"), max_length=16, blank=True)
    # Where it is routed: the community (or, when the feed's code is missing from the tree,
    # its nearest known ancestor, with region_flagged set).
    division = division_fk(_("所属社区"), related_name="+")
    region_code = models.CharField(_("数据中的行政区划代码"), max_length=12, blank=True)
    region_flagged = models.BooleanField(_("区划代码未知"), default=False)
    # Which feed, batch and row, which dates: a list of {"source", "batch", "row", "fact", dates}.
    evidence = models.JSONField(_("依据"), default=list)
    # Hash of (kind, person_key, the facts of the evidence): a lead already known and unchanged
    # is not raised again.
    fingerprint = models.CharField(max_length=64)
    run = optional_fk(ScreeningRun, related_name="leads")
    raised_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    # Workflow: field verification by the director, review by the supervisor, the bureau's decision.
    verified_by = user_fk(null=True, blank=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verify_note = models.TextField(_("核实情况"), blank=True)
    # The photos and scans of the field check (stored in the child's archive), shown to the
    # reviewer and the approver as the evidence they decide on.
    verify_documents = models.ManyToManyField(
        "registry.Document", verbose_name=_("核实材料"), related_name="+", blank=True
    )
    reviewed_by = user_fk(null=True, blank=True)
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)
    decided_by = user_fk(null=True, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reject_reason = models.TextField(_("退回理由"), blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    # What approval did in the registry (a category started or ended).
    assignment = optional_fk("registry.CategoryAssignment", related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    # Not a column: the verification documents the detail page shows (leads.selectors.lead_detail).
    evidence_documents: list[Document]

    class Meta:
        verbose_name = verbose_name_plural = _("线索")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person_key", "fingerprint"], name="lead_kind_person_facts_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="lead_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["division", "status"], name="lead_division_status"),
            models.Index(fields=["status", "kind"], name="lead_status_kind"),
            models.Index(fields=["person_key", "kind"], name="lead_person_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
