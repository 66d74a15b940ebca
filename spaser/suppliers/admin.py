from django.contrib import admin

from .models import CompanyLookup, InclusiveSupplier, Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["identifier", "name", "size_category", "is_ess", "inclusive_kind", "departement_code"]
    list_filter = ["size_category", "is_ess", "inclusive_kind", "identifier_type"]
    search_fields = ["identifier", "siren", "name"]


@admin.register(InclusiveSupplier)
class InclusiveSupplierAdmin(admin.ModelAdmin):
    list_display = ["siret", "kind", "source", "list_date"]
    list_filter = ["kind", "source"]
    search_fields = ["siret", "siren"]


@admin.register(CompanyLookup)
class CompanyLookupAdmin(admin.ModelAdmin):
    list_display = ["siren", "fetched_at"]
    search_fields = ["siren"]
