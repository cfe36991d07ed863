"""User administration for the system administrator (三员分立), and unlocking for the security
administrator. Neither reads a child's data; both leave a trail (core.admin.RoleAdmin)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from huhang.accounts.models import Organisation, User
from huhang.core.admin import RoleAdmin

# What only a superuser may change: an administrator cannot grant itself (or anyone) the
# powers of a superuser or Django's own permissions.
SUPERUSER_FIELDS = ("is_superuser", "groups", "user_permissions")
# What an administrator cannot change on its own account: its role and where it is bound.
OWN_FIELDS = ("role", "division", "organisation", "is_staff", "is_active")


@admin.register(User)
class UserAdmin(RoleAdmin, BaseUserAdmin):
    list_display = (
        "username",
        "last_name",
        "first_name",
        "role",
        "division",
        "organisation",
        "is_active",
    )
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "phone")
    autocomplete_fields = ("division", "organisation")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("角色与范围"), {"fields": ("role", "division", "organisation", "phone")}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        (_("角色与范围"), {"fields": ("role", "division", "organisation")}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += SUPERUSER_FIELDS
            if obj is not None and obj.pk == request.user.pk:
                fields += OWN_FIELDS
        return fields


@admin.register(Organisation)
class OrganisationAdmin(RoleAdmin):
    list_display = ("name", "kind", "department", "division")
    list_filter = ("kind",)
    search_fields = ("name",)


# Unlocking an account locked by failed logins is the security administrator's: deleting its
# access attempts (django-axes) unlocks it.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(RoleAdmin, AccessAttemptAdmin):
    capability = "security.manage"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Authenticator secrets and recovery codes are nobody's to read: enrolment and the security
# administrator's reset (accounts.twofactor) are the only ways to change them.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
