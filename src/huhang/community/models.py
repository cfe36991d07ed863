"""Minor-protection workstations, activities, trainings, partners, charity resources and the
targets of purchased-service projects (DOMAIN.md sections 6-7).

Names here are read by the reports app (activities and trainings held, partners linked, children
served): add fields rather than rename them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core.fields import division_fk, optional_fk, user_fk
from huhang.registry.fields import child_fk
from huhang.registry.models import Category


class StationLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    STREET = "street", _("街道/乡镇级")
    COMMUNITY = "community", _("社区/村级")


class Workstation(models.Model):
    """A minor-protection workstation (未成年人保护工作站) with its own brand (一站一品)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    level = models.CharField(_("层级"), max_length=16, choices=StationLevel.choices)
    division = division_fk(_("所在区划"), related_name="workstations")
    address = models.CharField(_("地址"), max_length=200)
    brand = models.CharField(_("品牌（一站一品）"), max_length=60, blank=True)
    brand_story = models.TextField(_("品牌介绍"), blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    rooms = models.TextField(_("功能室与设施"), blank=True)
    volunteers = models.TextField(_("志愿者（每行一人）"), blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员"),
        blank=True,
        related_name="workstations",
    )
    # The public page's address: not guessable from the sequence of primary keys.
    public_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("未成年人保护工作站")
        ordering = ["division_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def volunteer_list(self) -> list[str]:
        return [line.strip() for line in self.volunteers.splitlines() if line.strip()]


class ActivityKind(models.TextChoices):
    SAND_TRAY = "sand_tray", _("沙盘游戏")
    DOUGH = "dough", _("面塑")
    SUMMER_CAMP = "summer_camp", _("夏令营")
    WINTER_CAMP = "winter_camp", _("冬令营")
    STUDY_TRIP = "study_trip", _("研学")
    FESTIVAL = "festival", _("节日活动")
    TUTORING = "tutoring", _("课业辅导")
    PARENT_CLASS = "parent_class", _("家长课堂")
    OTHER = "other", _("其他")


class Audience(models.Model):
    """Who an activity or a resource is for: the age band a child must be in on its day and the
    categories it must hold (empty = every child). The rule itself: eligibility.eligible."""

    min_age = models.PositiveSmallIntegerField(_("最小年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最大年龄"), null=True, blank=True)
    # Category codes (registry.Category); empty = open to every child.
    categories = models.JSONField(_("适用类别"), default=list, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="%(class)s_age_band",
            ),
        ]

    @property
    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(code, code)) for code in self.categories]


class Activity(Audience):
    """An activity held at (or by) a workstation. Held = `held_on` not after today."""

    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityKind.choices)
    station = models.ForeignKey(
        Workstation,
        verbose_name=_("工作站"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    held_on = models.DateField(_("活动日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("名额"))
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组织者"),
        blank=True,
        related_name="organised_activities",
    )
    partners = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("合作机构"),
        blank=True,
        related_name="activities",
    )
    project = optional_fk("cases.ServiceProject", _("购买服务项目"), related_name="activities")
    summary = models.TextField(_("活动总结"), blank=True)
    created_by = user_fk(_("创建人"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(Audience.Meta):
        verbose_name = verbose_name_plural = _("活动")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["station", "held_on"]), models.Index(fields=["held_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="activity_capacity"),
            *Audience.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("held_on")),
                name="activity_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    """A child enrolled in an activity; `attended` is None until attendance is taken."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="enrolments")
    child = child_fk("activity_enrolments")
    eligible = models.BooleanField(_("符合条件"), default=True)
    exception_reason = models.CharField(_("破格报名理由"), max_length=200, blank=True)
    attended = models.BooleanField(_("出席"), null=True, blank=True)
    enrolled_by = user_fk(_("报名登记人"))
    enrolled_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("活动报名")
        ordering = ["enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "child"], name="enrolment_once"),
            # An ineligible child is enrolled only with a recorded reason.
            models.CheckConstraint(
                condition=Q(eligible=True) | ~Q(exception_reason=""),
                name="enrolment_exception_has_reason",
            ),
        ]


def photo_path(instance: ActivityPhoto, filename: str) -> str:
    return f"activities/{instance.activity_id}/{uuid.uuid4().hex}.{instance.extension}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = user_fk(_("上传人"))
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("活动照片")
        ordering = ["uploaded_at", "pk"]


class Training(models.Model):
    """A training for supervisors and directors; attendance is recorded only once it was held."""

    topic = models.CharField(_("培训主题"), max_length=100)
    held_on = models.DateField(_("培训日期"))
    trainer = models.CharField(_("授课人"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    division = division_fk(_("组织区划"), related_name="trainings")
    station = optional_fk(Workstation, _("工作站"), related_name="trainings")
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("参训人员"),
        through="TrainingAttendance",
        through_fields=("training", "user"),
        related_name="trainings_attended",
        blank=True,
    )
    created_by = user_fk(_("创建人"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("培训")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["division", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=200), name="training_hours"
            )
        ]

    def __str__(self) -> str:
        return self.topic


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_attendance"
    )
    recorded_by = user_fk(_("记录人"))
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("培训签到")
        constraints = [
            models.UniqueConstraint(fields=["training", "user"], name="training_attendance_once")
        ]


class PartnerProfile(models.Model):
    """What the bureau knows about a partner organisation beyond accounts.Organisation."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("机构"),
        on_delete=models.PROTECT,
        related_name="partner_profile",
    )
    description = models.TextField(_("简介"), blank=True)
    linked_on = models.DateField(_("建立合作日期"))
    active = models.BooleanField(_("合作中"), default=True)
    created_by = user_fk(_("创建人"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("合作伙伴")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)


class PartnerContact(models.Model):
    partner = models.ForeignKey(PartnerProfile, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("联系人")
        ordering = ["pk"]


def agreement_path(instance: Agreement, filename: str) -> str:
    return f"agreements/{instance.partner_id}/{uuid.uuid4().hex}.{instance.extension}"


class Agreement(models.Model):
    partner = models.ForeignKey(PartnerProfile, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("协议名称"), max_length=100)
    signed_on = models.DateField(_("签订日期"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=agreement_path, max_length=200, blank=True)
    extension = models.CharField(max_length=8, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    created_by = user_fk(_("创建人"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("合作协议")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="agreement_dates",
            )
        ]


class ResourceKind(models.TextChoices):
    CAMP = "camp", _("营地名额")
    STUDY_TRIP = "study_trip", _("研学名额")
    MONEY = "money", _("资金")
    GOODS = "goods", _("物资")
    VOLUNTEER = "volunteer", _("志愿服务时长")


class ResourceStatus(models.TextChoices):
    OPEN = "open", _("待匹配")
    PROPOSED = "proposed", _("已生成建议名单")
    CONFIRMED = "confirmed", _("已确认发放")
    CLOSED = "closed", _("已关闭")


class Resource(Audience):
    """A charity resource a partner offers (慈善+未保); `quantity` = how many children it serves."""

    partner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("提供机构"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    kind = models.CharField(_("资源类型"), max_length=16, choices=ResourceKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    quantity = models.PositiveIntegerField(_("份数/名额"))
    # What one child receives: an amount for money, a description for the rest.
    amount_fen = models.BigIntegerField(_("每人金额（分）"), default=0)
    per_child = models.CharField(_("每人所得"), max_length=100, blank=True)
    available_on = models.DateField(_("发放/活动日期"))
    available_until = models.DateField(_("截止日期"), null=True, blank=True)
    # Where eligible children live; empty = anywhere the matching user may see.
    divisions = models.ManyToManyField(
        "regions.Division", verbose_name=_("适用区域"), blank=True, related_name="+"
    )
    conditions = models.TextField(_("其他条件"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.OPEN
    )
    created_by = user_fk(_("登记人"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta(Audience.Meta):
        verbose_name = verbose_name_plural = _("慈善资源")
        ordering = ["-available_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="resource_quantity"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="resource_amount"),
            *Audience.Meta.constraints,
        ]

    def __str__(self) -> str:
        return self.title


class AllocationStatus(models.TextChoices):
    PROPOSED = "proposed", _("建议")
    CONFIRMED = "confirmed", _("已确认")


class Allocation(models.Model):
    """A child on a resource's list: proposed by matching, confirmed (= received) by a supervisor."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="allocations")
    child = child_fk("resource_allocations")
    status = models.CharField(
        _("状态"), max_length=16, choices=AllocationStatus.choices, default="proposed"
    )
    rank = models.PositiveIntegerField(_("顺序"), default=0)
    proposed_by = user_fk(_("匹配人"))
    proposed_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_by = user_fk(_("确认人"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    received_on = models.DateField(_("受助日期"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("金额（分）"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("资源分配")
        ordering = ["resource", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "child"], name="allocation_once"),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | (
                    Q(status="confirmed")
                    & Q(confirmed_by__isnull=False)
                    & Q(received_on__isnull=False)
                ),
                name="allocation_confirmed_complete",
            ),
        ]


class ProjectTarget(models.Model):
    """Targets of a purchased-service project beyond those cases.ServiceProject already holds."""

    project = models.OneToOneField(
        "cases.ServiceProject",
        verbose_name=_("购买服务项目"),
        on_delete=models.CASCADE,
        related_name="community_target",
    )
    target_activities = models.PositiveIntegerField(_("目标活动场次"), default=0)
    target_children = models.PositiveIntegerField(_("目标服务儿童数"), default=0)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("项目目标")
