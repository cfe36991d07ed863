from django.contrib import admin

from huhang.core.admin import RoleAdmin
from huhang.regions.models import Division


@admin.register(Division)
class DivisionAdmin(RoleAdmin):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
