from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import Action, Axis, Commitment, Indicator, Objective, Scheme, Target


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0
    fields = ["code", "title", "position"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "period_start", "period_end", "edition", "status"]
    list_filter = ["status", "organisation"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ("title",)}
    inlines = [AxisInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Axis)
class AxisAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "scheme", "position"]
    list_filter = ["scheme"]
    search_fields = ["code", "title"]


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "axis", "position"]
    list_filter = ["axis__scheme"]
    search_fields = ["code", "title"]
    list_select_related = ["axis"]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "commitment", "deadline"]
    list_filter = ["commitment__axis__scheme"]
    search_fields = ["text"]
    list_select_related = ["commitment"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "commitment", "owner_direction", "due_date", "status", "progress"]
    list_filter = ["status", "owner_direction", "commitment__axis__scheme"]
    search_fields = ["title"]
    list_select_related = ["commitment", "owner_direction"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "method", "unit", "owner_direction", "commitment"]
    list_filter = ["method", "unit", "commitment__axis__scheme"]
    search_fields = ["code", "name"]
    list_select_related = ["commitment", "owner_direction"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "year", "value"]
    list_filter = ["year", "indicator__commitment__axis__scheme"]
    list_select_related = ["indicator"]
