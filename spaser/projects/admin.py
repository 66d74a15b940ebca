"""Django admin for purchase projects: for reading and support; everyday work happens in the pages (and
their services, which keep the workflow's guards). Transitions are read only: workflow.move writes them."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Advice, ClauseRecommendation, NeedReview, Project, ReferralRule, Transition


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = ["at", "from_stage", "to_stage", "user", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AdviceInline(admin.TabularInline):
    model = Advice
    extra = 0
    fields = ["resource_direction", "required", "status", "deadline"]
    raw_id_fields = ["resource_direction"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "title", "direction", "stage", "estimated_amount", "planned_launch_date"]
    list_filter = ["organisation", "stage", "nature"]
    search_fields = ["reference", "title"]
    list_select_related = ["direction"]
    raw_id_fields = ["direction", "renewed_contract", "contracts", "advice_override_by", "created_by"]
    readonly_fields = ["reference", "stage", "launched_on", "created_at", "updated_at"]
    inlines = [AdviceInline, TransitionInline]


@admin.register(NeedReview)
class NeedReviewAdmin(SimpleHistoryAdmin):
    list_display = ["project", "outcome", "avoided_amount", "reviewer", "reviewed_at"]
    list_filter = ["outcome"]
    search_fields = ["project__reference", "project__title"]
    list_select_related = ["project", "reviewer"]
    raw_id_fields = ["project", "reviewer"]


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    list_display = ["project", "from_stage", "to_stage", "user", "at"]
    list_filter = ["to_stage"]
    search_fields = ["project__reference"]
    list_select_related = ["project", "user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Advice)
class AdviceAdmin(SimpleHistoryAdmin):
    list_display = ["project", "resource_direction", "required", "status", "deadline"]
    list_filter = ["status", "required"]
    search_fields = ["project__reference", "project__title"]
    list_select_related = ["project", "resource_direction"]
    raw_id_fields = ["project", "resource_direction", "rule", "given_by"]


@admin.register(ReferralRule)
class ReferralRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "resource_direction", "cpv_prefixes", "min_amount", "is_active"]
    list_filter = ["organisation", "is_active"]
    list_select_related = ["resource_direction"]


@admin.register(ClauseRecommendation)
class ClauseRecommendationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "cpv_prefix", "family", "is_active"]
    list_filter = ["organisation", "kind", "is_active"]
    search_fields = ["title", "family", "cpv_prefix"]
