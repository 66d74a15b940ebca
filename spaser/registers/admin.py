from django.contrib import admin

from .models import ColumnMapping, InsertionHours, InsertionParticipant, RegisterImport


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "updated_at"]
    list_filter = ["kind", "organisation"]


@admin.register(RegisterImport)
class RegisterImportAdmin(admin.ModelAdmin):
    list_display = ["batch", "kind", "organisation", "mapping_name", "rejected"]
    list_filter = ["kind", "organisation"]


class InsertionParticipantInline(admin.TabularInline):
    model = InsertionParticipant
    extra = 0
    fields = ["person_ref", "gender", "resident", "hours"]


@admin.register(InsertionHours)
class InsertionHoursAdmin(admin.ModelAdmin):
    list_display = ["contract", "period_start", "period_end", "hours_planned", "hours_realised"]
    raw_id_fields = ["contract", "batch"]
    inlines = [InsertionParticipantInline]
