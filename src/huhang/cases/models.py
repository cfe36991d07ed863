"""Case work (个案), assessments, service plans and services, home visits, referrals to other
agencies, and emergency protection (临时监护) with its coordination log."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core.fields import optional_fk, user_fk
from huhang.registry.fields import child_fk


class CaseSource(models.TextChoices):
    LEAD = "lead", _("排查线索")
    HOTLINE = "hotline", _("热线")
    SCHOOL = "school", _("学校")
    POLICE = "police", _("公安")
    NEIGHBOUR = "neighbour", _("邻居")
    FAMILY = "family", _("家庭本人")
    WORKER = "worker", _("工作人员发现")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("已立案")
    ASSESSED = "assessed", _("已评估")
    PLAN_APPROVED = "plan_approved", _("服务计划已批准")
    IN_SERVICE = "in_service", _("服务中")
    REVIEWED = "reviewed", _("已评估回顾")
    CLOSING = "closing", _("待批准结案")
    CLOSED = "closed", _("已结案")


class Risk(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class ServiceProject(models.Model):
    """A purchased-service project (政府购买服务, e.g. 童心有梦): its social workers see the
    cases assigned to it, and their service hours count against it."""

    name = models.CharField(_("项目名称"), max_length=100, unique=True)
    contractor = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("承接机构"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    budget_fen = models.BigIntegerField(_("预算（分）"), default=0)
    target_cases = models.PositiveIntegerField(_("目标个案数"), default=0)
    target_hours = models.PositiveIntegerField(_("目标服务小时"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("购买服务项目")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="project_dates")
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    child = child_fk("cases")
    source = models.CharField(_("来源"), max_length=16, choices=CaseSource.choices)
    source_detail = models.CharField(_("来源说明"), max_length=200, blank=True)
    summary = models.TextField(_("基本情况"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, blank=True)
    risk_reason = models.CharField(_("风险理由"), max_length=300, blank=True)
    project = optional_fk(ServiceProject, _("购买服务项目"), related_name="cases")
    opened_at = models.DateTimeField(_("立案时间"), default=timezone.now)
    opened_by = user_fk(_("立案人"))
    closure_reason = models.CharField(_("结案原因"), max_length=300, blank=True)
    closure_requested_by = user_fk(_("申请结案人"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = user_fk(_("批准结案人"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("个案")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["child", "opened_at"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(closed_at__isnull=False) & Q(closed_by__isnull=False) & ~Q(closure_reason="")),
                name="case_closed_has_approval_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(risk="") | ~Q(risk_reason=""), name="case_risk_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.child}"


class CaseEvent(models.Model):
    """The case's history: every transition with who, when and why (reopening keeps it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = user_fk(_("操作人"))
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Domain(models.TextChoices):
    SAFETY = "safety", _("安全")
    HEALTH = "health", _("健康")
    EDUCATION = "education", _("教育")
    PSYCHOLOGY = "psychology", _("心理与行为")
    FAMILY = "family", _("家庭与监护")
    LIVING = "living", _("生活条件与收入")
    SUPPORT = "support", _("社会支持")


class Assessment(models.Model):
    """A structured assessment: each domain scored 0 (no concern) to 3 (severe), with notes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("评估日期"))
    assessor = user_fk(_("评估人"))
    scores = models.JSONField(_("各领域得分"))
    notes = models.JSONField(_("各领域说明"), default=dict, blank=True)
    computed_risk = models.CharField(_("计算风险"), max_length=8, choices=Risk.choices)
    risk = models.CharField(_("最终风险"), max_length=8, choices=Risk.choices)
    override_reason = models.CharField(_("调整理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("评估")
        ordering = ["assessed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk=F("computed_risk")) | ~Q(override_reason=""),
                name="assessment_override_has_reason",
            )
        ]


class ServicePlan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    goals = models.TextField(_("服务目标"))
    drafted_by = user_fk(_("制定人"))
    drafted_at = models.DateTimeField(default=timezone.now)
    approved_by = user_fk(_("批准人"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("服务计划")
        ordering = ["drafted_at", "pk"]


class PlanAction(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(_("措施"), max_length=200)
    responsible = models.CharField(_("责任人/单位"), max_length=100)
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]


class ServiceKind(models.TextChoices):
    COUNSELLING = "counselling", _("心理疏导")
    MATERIAL = "material", _("物资帮扶")
    TUTORING = "tutoring", _("课业辅导")
    FAMILY = "family", _("家庭辅导")
    ESCORT = "escort", _("陪同就医/办事")
    OTHER = "other", _("其他服务")


class ServiceRecord(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("服务类型"), max_length=16, choices=ServiceKind.choices)
    delivered_on = models.DateField(_("服务日期"))
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    worker = user_fk(_("服务人员"))
    project = optional_fk(ServiceProject, _("购买服务项目"), related_name="services")
    note = models.TextField(_("服务记录"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("服务记录")
        ordering = ["delivered_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=24 * 60), name="service_minutes"
            )
        ]


class HomeVisit(models.Model):
    """A home visit (入户探访) recorded from the phone; `next_due` schedules the next one."""

    child = child_fk("visits")
    case = optional_fk(Case, _("个案"), related_name="visits", on_delete=models.SET_NULL)
    visited_on = models.DateField(_("探访日期"))
    visitor = user_fk(_("探访人"))
    findings = models.TextField(_("探访情况"))
    next_due = models.DateField(_("下次探访日期"))
    recorded_at = models.DateTimeField(default=timezone.now)
    # Made on the phone when the visit is saved (in its outbox, perhaps offline): a visit sent
    # twice (a retry after a lost answer) is stored once. Null for visits recorded without it.
    client_id = models.UUIDField(_("客户端编号"), null=True, blank=True, editable=False)
    # Where the phone was, when the visitor agreed to send it (WGS 84, as the browser gives it).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accuracy_m = models.PositiveIntegerField(_("定位精度（米）"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("入户探访")
        ordering = ["visited_on", "pk"]
        indexes = [models.Index(fields=["child", "visited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_due__gt=F("visited_on")), name="visit_next_after_visit"
            ),
            models.UniqueConstraint(fields=["client_id"], name="visit_client_id_unique"),
            models.CheckConstraint(
                condition=(
                    Q(latitude__isnull=True)
                    & Q(longitude__isnull=True)
                    & Q(accuracy_m__isnull=True)
                )
                | (
                    Q(latitude__gte=-90, latitude__lte=90)
                    & Q(longitude__gte=-180, longitude__lte=180)
                    & Q(accuracy_m__isnull=False)
                ),
                name="visit_location_whole_and_valid",
            ),
        ]

    @property
    def has_location(self) -> bool:
        return self.latitude is not None


class VisitPhoto(models.Model):
    """A visit's photo: the original as taken (resized on the phone), and the copy stamped on
    the server with the visit's date, time and place (null when stamping failed)."""

    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="photos")
    document = models.ForeignKey("registry.Document", on_delete=models.PROTECT, related_name="+")
    stamped = models.ForeignKey(
        "registry.Document", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )


class Agency(models.TextChoices):
    HOUSING = "housing", _("住建/房管部门")
    EDUCATION = "education", _("教育部门")
    HEALTH = "health", _("卫健部门")
    POLICE = "police", _("公安机关")
    PROCURATORATE = "procuratorate", _("检察院")
    COURT = "court", _("法院")
    TOWN = "town", _("街道/乡镇政府")
    SOCIAL_ORG = "social_org", _("社会组织")
    OTHER = "other", _("其他单位")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("已转介")
    ANSWERED = "answered", _("已答复")
    DONE = "done", _("已办结")
    DECLINED = "declined", _("未予解决")


class Referral(models.Model):
    """A request to another agency (e.g. 廉租房 from the housing bureau), followed up until done."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    agency = models.CharField(_("转介单位类型"), max_length=16, choices=Agency.choices)
    agency_name = models.CharField(_("转介单位"), max_length=100)
    request = models.TextField(_("转介事项"))
    sent_on = models.DateField(_("转介日期"))
    sent_by = user_fk(_("转介人"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    response = models.TextField(_("答复内容"), blank=True)
    responded_on = models.DateField(_("答复日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("转介")
        ordering = ["sent_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(responded_on__isnull=True) | Q(responded_on__gte=F("sent_on")),
                name="referral_answer_after_sending",
            ),
            models.CheckConstraint(
                condition=Q(status="sent") | Q(responded_on__isnull=False),
                name="referral_answered_has_date",
            ),
        ]


class ReferralFollowUp(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("跟进日期"))
    by = user_fk(_("跟进人"))
    note = models.CharField(_("跟进情况"), max_length=300)

    class Meta:
        ordering = ["on", "pk"]


class Art92(models.TextChoices):
    """未成年人保护法 第九十二条: when the civil-affairs department takes temporary guardianship."""

    UNIDENTIFIED = "unidentified", _("流浪乞讨或者身份不明，暂时查找不到父母或者其他监护人")
    GUARDIAN_MISSING = "guardian_missing", _("监护人下落不明且无其他人可以担任监护人")
    GUARDIAN_UNABLE = (
        "guardian_unable",
        _("监护人因自身客观原因或突发事件不能履行监护职责，导致未成年人监护缺失"),
    )
    GUARDIAN_REFUSES = (
        "guardian_refuses",
        _("监护人拒绝或者怠于履行监护职责，导致未成年人处于无人照料的状态"),
    )
    GUARDIAN_CRIME = (
        "guardian_crime",
        _("监护人教唆、利用未成年人实施违法犯罪行为，未成年人需要被带离安置"),
    )
    HARMED = "harmed", _("未成年人遭受监护人严重伤害或者面临人身安全威胁，需要被紧急安置")
    OTHER_LAW = "other_law", _("法律规定的其他情形")


class Placement(models.TextChoices):
    """Art. 93: where a child under temporary guardianship is placed."""

    RELATIVES = "relatives", _("近亲属或其他经评估适合的人员抚养")
    FOSTER = "foster", _("家庭寄养")
    RESCUE = "rescue", _("未成年人救助保护机构")
    WELFARE = "welfare", _("儿童福利机构")


class Outcome(models.TextChoices):
    RETURNED = "returned", _("经评估后送回监护人")
    NEW_GUARDIAN = "new_guardian", _("经法院判决另行指定监护人")
    LONG_TERM = "long_term", _("民政部门长期监护（第九十四条）")


class EmergencyProtection(models.Model):
    """Temporary guardianship by the bureau (临时监护); red on every screen until resolved."""

    child = child_fk("emergencies")
    case = optional_fk(Case, related_name="+", on_delete=models.SET_NULL)
    situation = models.CharField(_("情形（第九十二条）"), max_length=20, choices=Art92.choices)
    taken_in_at = models.DateTimeField(_("接收时间"))
    placement = models.CharField(
        _("安置方式（第九十三条）"), max_length=12, choices=Placement.choices
    )
    placement_detail = models.CharField(_("安置地点/人员"), max_length=200)
    opened_by = user_fk(_("登记人"))
    outcome = models.CharField(_("处置结果"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_detail = models.CharField(_("结果说明"), max_length=300, blank=True)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    resolved_by = user_fk(_("解除人"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("临时监护")
        ordering = ["-taken_in_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome="") & Q(resolved_at__isnull=True))
                | (~Q(outcome="") & Q(resolved_at__isnull=False)),
                name="emergency_outcome_iff_resolved",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("taken_in_at")),
                name="emergency_resolved_after_taken_in",
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(resolved_at__isnull=True),
                name="emergency_one_open_per_child",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Party(models.TextChoices):
    PROCURATORATE = "procuratorate", _("检察院")
    COURT = "court", _("法院")
    POLICE = "police", _("公安机关")
    TOWN = "town", _("街道/乡镇")
    FAMILY = "family", _("家属")
    OTHER = "other", _("其他")


class CoordinationEntry(models.Model):
    """One step of the coordination with procuratorate, court and others, time-stamped."""

    emergency = models.ForeignKey(EmergencyProtection, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(_("时间"))
    party = models.CharField(_("协调单位"), max_length=16, choices=Party.choices)
    note = models.CharField(_("内容"), max_length=500)
    by = user_fk(_("记录人"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class Alert(models.Model):
    """Something a supervisor must see at once (e.g. a case assessed as high risk). It stays in
    the inbox of the supervisors of the child's street until one of them acknowledges it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    message = models.CharField(_("内容"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = user_fk(_("确认人"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
