"""User administration for the bureau's system administrator (staff users only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from huhang.accounts.models import Organisation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "department", "division")
    list_filter = ("kind",)
    search_fields = ("name",)
