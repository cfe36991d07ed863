"""Users, their role and what they are bound to: a division (district, street, community) or an
organisation (a contracted social-work organisation, a partner, a department)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huhang.core.fields import optional_fk
from huhang.core.roles import DIVISION_ROLES, ORGANISATION_ROLES, Role


class OrganisationKind(models.TextChoices):
    SOCIAL_WORK = "social_work", _("社工机构")
    SOCIAL_ORG = "social_org", _("社会组织")
    CHARITY = "charity", _("慈善组织/基金会")
    COMPANY = "company", _("爱心企业")
    DEPARTMENT = "department", _("政府部门")
    PROCURATORATE = "procuratorate", _("检察院")
    COURT = "court", _("法院")


class Department(models.TextChoices):
    """The departments that share data with the bureau (FEEDS.md source codes)."""

    POLICE = "police", _("公安")
    JUSTICE = "justice", _("司法")
    COURT = "court", _("法院")
    DISABILITY = "disability", _("残联")
    HEALTH = "health", _("医保/卫健")
    ASSISTANCE = "assistance", _("民政社会救助")
    EDUCATION = "education", _("教育")


class Organisation(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrganisationKind.choices)
    department = models.CharField(
        _("数据来源部门"), max_length=16, choices=Department.choices, blank=True
    )
    division = optional_fk("regions.Division", _("服务区域"))
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    division = optional_fk("regions.Division", _("所属区划"), related_name="users")
    organisation = optional_fk(Organisation, _("所属机构"), related_name="users")
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # Kept by accounts.twofactor.services: whether the user has enrolled an authenticator, so
    # that every request knows without a query whether to ask for the second factor.
    otp_enrolled = models.BooleanField(_("已启用两步验证"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("用户")
        constraints = [
            # A user with a role is bound to exactly what the role needs, so scope never guesses.
            models.CheckConstraint(
                condition=(
                    Q(role="")
                    | Q(role__in=sorted(r.value for r in DIVISION_ROLES), division__isnull=False)
                    | Q(
                        role__in=sorted(r.value for r in ORGANISATION_ROLES),
                        organisation__isnull=False,
                    )
                ),
                name="user_role_binding",
            ),
        ]

    @property
    def display_name(self) -> str:
        # Chinese order: family name first, no space (王芳, not 芳 王).
        return f"{self.last_name}{self.first_name}".strip() or self.username

    @property
    def role_label(self) -> str:
        return self.get_role_display() if self.role else ""
