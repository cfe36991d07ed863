"""The children's registry: people, children's profiles, families, parents' situations,
households, the category timeline and attached documents."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huhang.core import crypto, facts, idnumber
from huhang.core.fields import (
    BlindIndexField,
    EncryptedIdField,
    LastDigitsField,
    actor_fk,
    division_fk,
    optional_fk,
)
from huhang.registry.fields import child_fk

# How many trailing characters of an ID number are kept in clear for the "last digits" search.
ID_LAST_DIGITS = 6


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AssistanceType(models.TextChoices):
    NONE = "", _("无")
    URBAN_DIBAO = "urban_dibao", _("城市低保")
    RURAL_DIBAO = "rural_dibao", _("农村低保")
    TEKUN = "tekun", _("特困供养")


class Household(models.Model):
    """A household (户) and its address; the assistance type decides 困境儿童 by poverty."""

    division = division_fk(_("所在社区/村"))
    address = models.CharField(_("住址"), max_length=200, blank=True)
    head = optional_fk("Person", _("户主"), related_name="+", on_delete=models.SET_NULL)
    assistance = models.CharField(
        _("救助类型"), max_length=16, choices=AssistanceType.choices, blank=True
    )
    assistance_since = models.DateField(_("救助起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("家庭户")

    def __str__(self) -> str:
        return self.address or f"#{self.pk}"


class Person(models.Model):
    """A person, child or adult. The ID number is optional (some migrant children have none) but,
    when present, valid and unique. The name is displayed as given; `name_key` is its normalised
    form with pinyin and initials, for search."""

    name = models.CharField(_("姓名"), max_length=64)
    name_key = models.CharField(max_length=255, editable=False, default="")
    # Encrypted at rest (core.crypto); `id_index` answers exact lookups and uniqueness, `id_last`
    # the "last digits" search.
    id_number = EncryptedIdField(_("公民身份号码"), null=True, blank=True)
    id_index = BlindIndexField(source="id_number", unique=True)
    id_last = LastDigitsField(source="id_number", digits=ID_LAST_DIGITS)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    hukou_code = models.CharField(
        _("户籍地区划代码"), max_length=12, blank=True, help_text=_("12位统计用区划代码")
    )
    household = optional_fk(
        Household, _("家庭户"), related_name="members", on_delete=models.SET_NULL
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("人员")
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="person_sex_valid"),
            models.CheckConstraint(
                condition=Q(id_number__isnull=True, id_index__isnull=True)
                | Q(id_number__isnull=False, id_index__isnull=False),
                name="person_id_number_indexed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # What BlindIndexField/LastDigitsField set on save, set before the constraints are
        # validated too.
        self.id_index = crypto.blind_index(self.id_number)  # type: ignore[assignment]
        self.id_last = (self.id_number or "")[-ID_LAST_DIGITS:]

    def age_on(self, day: date) -> int:
        return facts.age_on(self.birth_date, day)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    def parsed_id(self) -> idnumber.IdNumber | None:
        return idnumber.parse(self.id_number) if self.id_number else None


class Living(models.TextChoices):
    HOME = "home", _("社会散居")
    INSTITUTION = "institution", _("集中养育（福利机构）")
    RELATIVES = "relatives", _("亲属抚养")
    FOSTER = "foster", _("家庭寄养")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    TRANSFERRED = "transferred", _("已迁出")
    AGED_OUT = "aged_out", _("已满18周岁")
    DECEASED = "deceased", _("已死亡")
    MERGED = "merged", _("已合并")


class SchoolStage(models.TextChoices):
    NONE = "", _("未入学")
    PRESCHOOL = "preschool", _("学前")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    HIGHER = "higher", _("高等教育")


class Child(models.Model):
    """A child's profile (档案): the person plus who is responsible for it and how it lives."""

    person = models.OneToOneField(
        Person, verbose_name=_("儿童"), on_delete=models.PROTECT, related_name="child"
    )
    division = division_fk(_("所属社区/村"), related_name="children_registered")
    address = models.CharField(_("现住址"), max_length=200, blank=True)
    living = models.CharField(
        _("养育方式"), max_length=16, choices=Living.choices, default=Living.HOME
    )
    school = models.CharField(_("就读学校"), max_length=100, blank=True)
    school_stage = models.CharField(
        _("学段"), max_length=16, choices=SchoolStage.choices, blank=True
    )
    health = models.CharField(_("健康状况"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    status = models.CharField(
        _("档案状态"), max_length=16, choices=ChildStatus.choices, default=ChildStatus.ACTIVE
    )
    registered_at = models.DateTimeField(_("建档时间"), default=timezone.now)
    registered_by = actor_fk(_("建档人"))
    # One archive per child (issue 12): a duplicate merged into another points to it.
    merged_into = optional_fk("self", _("合并至"), related_name="merged_from")
    version = models.PositiveIntegerField(default=1, editable=False)
    # Copies of the person's search fields, kept in step by the registry services (and the bulk
    # loader): the children list filters 130k children of an 800k-person district without
    # joining the person table, from one covering index (see bench/children_list.py).
    search_name = models.CharField(max_length=255, editable=False, default="")
    # The ID number's blind index (core.crypto) and its last digits, never the number itself.
    search_id = models.CharField(max_length=40, editable=False, default="")
    search_last = models.CharField(max_length=ID_LAST_DIGITS, editable=False, default="")
    search_birth = models.DateField(editable=False, null=True)

    # Not columns: what registry.selectors.child_archive attaches for the archive page (and
    # child_list prefetches as `open_categories`), declared so that their readers are checked.
    relation_list: list[Relation]
    own_situations: list[Situation]
    category_list: list[CategoryAssignment]
    document_list: list[Document]
    merge_list: list[ArchiveMerge]
    household: Household | None
    hukou_place: str

    class Meta:
        verbose_name = verbose_name_plural = _("儿童档案")
        indexes = [
            models.Index(fields=["division", "status"]),
            models.Index(
                fields=["division", "search_name", "search_id", "search_birth"],
                name="registry_child_search",
            ),
            models.Index(fields=["search_birth"], name="registry_child_birth"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="merged") & Q(merged_into__isnull=False))
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="child_merged_points_to_archive",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="child_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.person.name

    def copy_search_fields(self, person: Person) -> None:
        self.search_name = person.name_key
        self.search_id = crypto.blind_index(person.id_number) or ""
        self.search_last = (person.id_number or "")[-ID_LAST_DIGITS:]
        self.search_birth = person.birth_date


class RelationKind(models.TextChoices):
    FATHER = "father", _("父亲")
    MOTHER = "mother", _("母亲")
    PATERNAL_GRANDFATHER = "paternal_grandfather", _("祖父")
    PATERNAL_GRANDMOTHER = "paternal_grandmother", _("祖母")
    MATERNAL_GRANDFATHER = "maternal_grandfather", _("外祖父")
    MATERNAL_GRANDMOTHER = "maternal_grandmother", _("外祖母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    OTHER_GUARDIAN = "other_guardian", _("其他监护人")
    INSTITUTION = "institution", _("机构监护")


PARENT_KINDS = (RelationKind.FATHER, RelationKind.MOTHER)


class Relation(models.Model):
    """A family relation of a child to another person; at most one is the current guardian."""

    child = models.ForeignKey(
        Person, verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="relations"
    )
    relative = models.ForeignKey(
        Person, verbose_name=_("亲属"), on_delete=models.PROTECT, related_name="relations_to"
    )
    kind = models.CharField(_("关系"), max_length=24, choices=RelationKind.choices)
    is_guardian = models.BooleanField(_("现监护人"), default=False)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    # Not columns: attached by registry.selectors.child_archive.
    situation_list: list[Situation]
    deceased: bool

    class Meta:
        verbose_name = verbose_name_plural = _("家庭关系")
        constraints = [
            models.UniqueConstraint(fields=["child", "relative"], name="relation_once"),
            models.UniqueConstraint(
                fields=["child", "kind"],
                condition=Q(kind__in=["father", "mother"]),
                name="relation_one_father_one_mother",
            ),
            models.UniqueConstraint(
                fields=["child"], condition=Q(is_guardian=True), name="relation_one_guardian"
            ),
            models.CheckConstraint(condition=~Q(child=F("relative")), name="relation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.relative} ({self.get_kind_display()})"


class SituationKind(models.TextChoices):
    """The eight DFUC situations of DOMAIN.md, plus death and the court declarations."""

    SEVERE_DISABILITY = "severe_disability", _("重残")
    SERIOUS_ILLNESS = "serious_illness", _("重病")
    IMPRISONED = "imprisoned", _("服刑在押")
    DRUG_REHAB = "drug_rehab", _("强制隔离戒毒")
    LIBERTY_RESTRICTED = "liberty_restricted", _("被执行其他限制人身自由的措施")
    LOST_CONTACT = "lost_contact", _("失联")
    GUARDIANSHIP_REVOKED = "guardianship_revoked", _("被撤销监护资格")
    DEPORTED = "deported", _("被遣送（驱逐）出境")
    DEAD = "dead", _("死亡")
    DECLARED_DEAD = "declared_dead", _("宣告死亡")
    DECLARED_MISSING = "declared_missing", _("宣告失踪")


DEATH_SITUATIONS = frozenset(
    {SituationKind.DEAD, SituationKind.DECLARED_DEAD, SituationKind.DECLARED_MISSING}
)


class Situation(models.Model):
    """A situation of a person (usually a parent) with its dates and evidence."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="situations"
    )
    kind = models.CharField(_("情形"), max_length=24, choices=SituationKind.choices)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    detail = models.CharField(
        _("具体情况"),
        max_length=200,
        blank=True,
        help_text=_("如残疾类别与等级、病种、执行机关、案号"),
    )
    evidence = models.CharField(_("证明材料"), max_length=200, blank=True)
    recorded_by = actor_fk()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("人员情形")
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="situation_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"

    def is_current_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class Category(models.TextChoices):
    ORPHAN = "orphan", _("孤儿")
    DFUC = "dfuc", _("事实无人抚养儿童")
    DIFFICULTY = "difficulty", _("困境儿童")
    LEFT_BEHIND = "left_behind", _("留守儿童")
    MIGRANT = "migrant", _("流动儿童")


# The categories that carry the monthly basic-living allowance (孤儿基本生活费; DFUC at the same
# standard, 民发〔2019〕62号) and, before 18, the 福彩圆梦 scholarship.
ALLOWANCE_CATEGORIES = (Category.ORPHAN, Category.DFUC)


class CategoryStatus(models.TextChoices):
    CANDIDATE = "candidate", _("待核实")
    VERIFIED = "verified", _("已核实")
    APPROVED = "approved", _("已认定")
    ENDED = "ended", _("已终止")


class CategoryAssignment(models.Model):
    """One category of one child over time: candidate → verified → approved → ended."""

    child = models.ForeignKey(
        Child, verbose_name=_("儿童"), on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=CategoryStatus.choices, default=CategoryStatus.CANDIDATE
    )
    basis = models.TextField(_("认定依据"), blank=True)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_to = models.DateField(_("终止日期"), null=True, blank=True)
    ended_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    proposed_by = actor_fk(_("提出人"))
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    verified_by = actor_fk(_("核实人"))
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    approved_by = actor_fk(_("审批人"))
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    ended_by = actor_fk(_("终止操作人"))
    # Back-dating (补认定): an effective date earlier than `backdate_floor` (the approval day
    # less HUHANG_BACKDATE_MONTHS, set by the service) needs a reason, given before approval
    # (by the proposer or the verifier) and shown to the approver.
    backdate_reason = models.TextField(_("追溯理由"), blank=True)
    backdate_floor = models.DateField(null=True, blank=True, editable=False)
    proposed_from = models.DateField(_("拟生效日期"), null=True, blank=True)
    # Ending an approved category takes two people: one proposes (reason and date), another
    # confirms. A candidate or verified one is rejected by one person (nothing was granted).
    end_proposed_by = actor_fk(_("终止提出人"))
    end_proposed_at = models.DateTimeField(_("终止提出时间"), null=True, blank=True)
    end_proposed_to = models.DateField(_("拟终止日期"), null=True, blank=True)
    end_proposed_reason = models.CharField(_("拟终止原因"), max_length=200, blank=True)
    # Rows that predate the four-eyes rule (migration 0003) keep their history as it was.
    before_four_eyes = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("类别认定")
        ordering = ["proposed_at", "pk"]
        indexes = [models.Index(fields=["category", "status", "child"])]
        constraints = [
            # At most one open assignment per child and category; history stays as ended rows.
            models.UniqueConstraint(
                fields=["child", "category"],
                condition=~Q(status="ended"),
                name="category_one_open_per_child",
            ),
            # An approved assignment names its approver and the date it takes effect.
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_at__isnull=False) & Q(effective_from__isnull=False)),
                name="category_approved_has_approval",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="category_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | ~Q(ended_reason=""),
                name="category_ended_has_reason",
            ),
            # Four eyes (issue 12): proposed, verified and approved by three different people,
            # and an approved category ended by someone other than who proposed the ending.
            models.CheckConstraint(
                condition=Q(before_four_eyes=True) | ~Q(verified_by=F("proposed_by")),
                name="category_verifier_not_proposer",
            ),
            models.CheckConstraint(
                condition=Q(before_four_eyes=True)
                | (~Q(approved_by=F("proposed_by")) & ~Q(approved_by=F("verified_by"))),
                name="category_approver_is_third_person",
            ),
            models.CheckConstraint(
                condition=Q(before_four_eyes=True)
                | ~Q(status="approved")
                | (Q(verified_at__isnull=False) & Q(backdate_floor__isnull=False)),
                name="category_approved_was_verified",
            ),
            models.CheckConstraint(
                condition=Q(before_four_eyes=True)
                | Q(backdate_floor__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_from__gte=F("backdate_floor"))
                | ~Q(backdate_reason=""),
                name="category_backdating_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(before_four_eyes=True)
                | ~Q(status="ended")
                | Q(approved_at__isnull=True)
                | Q(end_proposed_at__isnull=False),
                name="category_end_was_proposed",
            ),
            models.CheckConstraint(
                condition=Q(before_four_eyes=True) | ~Q(ended_by=F("end_proposed_by")),
                name="category_end_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.get_category_display()} {self.get_status_display()}"


class ChildAssignment(models.Model):
    """A child entrusted to an organisation (e.g. a purchased-service social-work project): the
    organisation's social workers see exactly these children. Case work (issue 5) assigns here."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="assignments"
    )
    since = models.DateField(_("起始日期"), default=date.today)
    until = models.DateField(_("终止日期"), null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("服务指派")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "organisation"],
                condition=Q(until__isnull=True),
                name="assignment_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} → {self.organisation}"


class DocumentKind(models.TextChoices):
    CERTIFICATE = "certificate", _("证明材料")
    SCAN = "scan", _("扫描件")
    PHOTO = "photo", _("照片")
    OTHER = "other", _("其他")


def document_path(instance: Document, filename: str) -> str:
    # The stored name never reuses the uploaded one: no path tricks, no guessable names.
    return f"children/{instance.child_id}/{uuid.uuid4().hex}.{instance.extension}"


class Document(models.Model):
    """A scan or photo attached to a child's archive, stored outside the web root."""

    child = child_fk("documents")
    kind = models.CharField(_("类型"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = actor_fk(_("上传人"), blank=False)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("附件")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    MERGED = "merged", _("已合并")
    DISTINCT = "distinct", _("不是同一儿童")


class DuplicateReview(models.Model):
    """Two archives that may be one child (found when a child was registered, by the same
    linker as screening), waiting for the bureau: merge them, or mark them distinct."""

    first = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("疑似重复原因"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    found_by = actor_fk(_("发现人"))
    found_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    resolved_by = actor_fk(_("处理人"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    note = models.CharField(_("处理说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("疑似重复档案")
        ordering = ["-found_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(second__gt=F("first")), name="duplicate_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(resolved_at__isnull=False),
                name="duplicate_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.first_id} ~ #{self.second_id}"


class ArchiveMerge(models.Model):
    """One merge of two archives of the same child: every record of `merged` moved to `kept`
    (what moved is listed in `moved`, what could not in `left`), `merged` closed as 已合并. An
    un-merge is a second record that `reverses` the first and moves the same rows back."""

    kept = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(_("原因"), max_length=200)
    moved = models.JSONField(default=dict, editable=False)
    left = models.JSONField(default=dict, editable=False)
    detail = models.JSONField(default=dict, editable=False)
    merged_by = actor_fk(_("操作人"), blank=False)
    merged_at = models.DateTimeField(_("操作时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("档案合并记录")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kept=F("merged")), name="merge_two_different_archives"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="merge_has_reason"),
        ]

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.kept_id}"
