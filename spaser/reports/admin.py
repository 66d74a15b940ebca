"""Read-only admin of the annual reports: every change goes through the services (services.py)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AnnualReport


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ["scheme", "year", "version", "status", "published_on"]
    list_filter = ["status", "year"]
    search_fields = ["scheme__title", "scheme__slug"]
    exclude = ["pdf"]
    readonly_fields = [
        field.name for field in AnnualReport._meta.get_fields() if field.concrete and field.name != "pdf"
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
