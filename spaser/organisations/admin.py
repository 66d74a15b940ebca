from django.contrib import admin

from .models import Buyer, Direction, Membership, Organisation


class BuyerInline(admin.TabularInline):
    model = Buyer
    extra = 0


class DirectionInline(admin.TabularInline):
    model = Direction
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "kind", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "siren"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BuyerInline, DirectionInline]


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    list_display = ["name", "identifier", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "identifier"]


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "organisation"]
    list_filter = ["organisation", "kind"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "direction"]
    list_filter = ["organisation", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "organisation", "direction"]
