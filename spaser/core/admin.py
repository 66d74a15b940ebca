from django.contrib import admin

from .models import Job

admin.site.site_header = "Administration de Spaser"
admin.site.site_title = "Spaser"
admin.site.index_title = "Administration"


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs, read only: they are created by the application, never by hand."""

    list_display = ("title", "kind", "status", "organisation", "created_by", "created_at", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("title",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
