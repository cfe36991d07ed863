from django.contrib import admin

from huhang.regions.models import Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
