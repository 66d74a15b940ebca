from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Campaign, CampaignEntry, Reminder


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "scheme", "year", "period", "status", "due_date"]
    list_filter = ["status", "year"]


@admin.register(CampaignEntry)
class CampaignEntryAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "indicator", "direction", "status", "value"]
    list_filter = ["status", "campaign"]
    raw_id_fields = ["campaign", "indicator"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["campaign", "direction", "sent_on", "trigger"]
    readonly_fields = ["campaign", "direction", "recipients", "indicators", "sent_on", "trigger", "sent_by"]
