"""Django admin for contract data: mostly for reading and support; everyday work happens in the pages."""

from django.contrib import admin

from .models import AttributionRule, Contract, ContractSupplier, ImportBatch, QuarantinedRecord


class ContractSupplierInline(admin.TabularInline):
    model = ContractSupplier
    extra = 0
    raw_id_fields = ["supplier"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["uid", "object", "notification_date", "amount", "direction", "direction_source", "origin"]
    list_filter = ["kind", "origin", "is_framework", "direction_source", "notification_year"]
    search_fields = ["uid", "contract_id", "object", "buyer_siret"]
    list_select_related = ["direction"]
    raw_id_fields = ["direction"]
    readonly_fields = ["imported_at", "updated_at", "content_hash"]
    inlines = [ContractSupplierInline]
    show_full_result_count = False  # a count over millions of rows on every page is not worth it


@admin.register(AttributionRule)
class AttributionRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "priority", "organisation"]
    list_filter = ["organisation"]
    list_select_related = ["direction", "organisation"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "source_name",
        "kind",
        "status",
        "started_at",
        "read",
        "created",
        "updated",
        "quarantined",
    ]
    list_filter = ["kind", "status", "dry_run"]
    search_fields = ["source_name", "source_label"]


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(admin.ModelAdmin):
    list_display = ["__str__", "batch", "status"]
    list_filter = ["status"]
    raw_id_fields = ["batch", "contract"]
