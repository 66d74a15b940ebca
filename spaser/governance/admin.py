"""Django admin for governance: for reading and support. Everyday work happens in the pages, whose services
keep the rules (a held meeting's frozen pack is read only here too)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    CorrectiveAction,
    CorrectiveActionUpdate,
    Decision,
    Meeting,
)


class MemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    fields = ["name", "function", "direction", "user", "email", "is_active"]
    raw_id_fields = ["direction", "user"]


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organisation", "frequency_months"]
    list_filter = ["kind", "organisation"]
    inlines = [MemberInline]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0
    raw_id_fields = ["indicator", "commitment", "direction", "created_by"]


FROZEN = ["pack", "pack_sha256", "pack_pdf_sha256", "pack_xlsx_sha256", "held_at", "held_by"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "committee", "date", "status", "held_at"]
    list_filter = ["status", "committee__kind", "committee__organisation"]
    date_hierarchy = "date"
    exclude = ["pack_pdf", "pack_xlsx"]
    readonly_fields = [*FROZEN, "created_by", "created_at", "updated_at"]
    inlines = [AgendaInline, AttendanceInline, DecisionInline]


class UpdateInline(admin.TabularInline):
    model = CorrectiveActionUpdate
    extra = 0
    can_delete = False
    fields = ["at", "status", "comment", "by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner_direction", "due_date", "status", "meeting"]
    list_filter = ["status", "organisation"]
    search_fields = ["title"]
    list_select_related = ["owner_direction", "meeting__committee"]
    raw_id_fields = ["meeting", "decision", "owner_direction", "indicator", "commitment", "created_by"]
    readonly_fields = ["created_at", "updated_at", "closed_at"]
    inlines = [UpdateInline]
