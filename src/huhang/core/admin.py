"""The Django admin of 三员分立: each model is kept by the administrator whose capability it
names (`RoleAdmin.capability`, core.roles), and every change made there is in the audit trail.

No model that holds a child's data is registered in the admin, and neither is the audit trail
(its labels name children): the audit administrator reads it at /audit/, within its division.
tests/security/test_separation.py checks every registered ModelAdmin.
"""

from __future__ import annotations

from django.contrib import admin

from huhang.core.audit import audit_object
from huhang.core.models import AuditAction
from huhang.core.roles import can


class RoleAdmin(admin.ModelAdmin):
    """A ModelAdmin open to the staff whose role carries `capability` (and to superusers), that
    writes each addition, change and deletion to the audit trail besides the admin's own log."""

    capability = "accounts.manage"

    def _allowed(self, request, obj=None) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and (user.is_superuser or can(user, self.capability))
        )

    has_module_permission = _allowed
    has_view_permission = _allowed
    has_add_permission = _allowed
    has_change_permission = _allowed
    has_delete_permission = _allowed

    def log_addition(self, request, obj, message):
        audit_object(by=request.user, action=AuditAction.CREATE, obj=obj, admin=str(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_object(by=request.user, action=AuditAction.CHANGE, obj=obj, admin=str(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_object(by=request.user, action=AuditAction.DELETE, obj=obj, admin="deleted")
        return super().log_deletions(request, queryset)
