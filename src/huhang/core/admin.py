"""The audit trail in the admin: read-only, nobody may add, change or delete an event."""

from django.contrib import admin

from huhang.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "role", "action", "object_type", "object_id", "ip")
    list_filter = ("action", "role", "object_type")
    search_fields = ("username", "object_id", "object_label")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
