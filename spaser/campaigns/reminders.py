"""Reminders: the members of each direction that still owes entries (to enter, or sent back) get one e-mail
listing the missing indicators and the link to the campaign. Entries without a direction are the pilots'.

`send_reminders` runs daily from huey (tasks.py), from `spaser remind_campaigns` and from the pilot's
« Relancer maintenant » button. Scheduled runs cover open campaigns due within REMINDER_WINDOW_DAYS or past
due; the button reminds its campaign whatever the date. A Reminder row per (campaign, direction) and day
keeps anybody from being reminded twice the same day; a dry run sends and records nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from spaser.organisations.models import DIRECTION_ROLES, Membership, Role

from .models import Campaign, CampaignEntry, Reminder, ReminderTrigger

REMINDER_WINDOW_DAYS = 7
DEFAULT_BASE_URL = "http://localhost:8000"


@dataclass
class DirectionDue:
    """What one direction (None: the pilots) still owes in one campaign, and who is reminded of it."""

    campaign: Campaign
    direction: object
    entries: list[CampaignEntry]
    recipients: list = field(default_factory=list)  # users with an e-mail address
    without_email: list = field(default_factory=list)  # members who cannot be reached
    already_reminded: bool = False

    @property
    def label(self) -> str:
        return self.direction.name if self.direction is not None else "Pilote du schéma (sans direction)"


@dataclass
class ReminderReport:
    dues: list[DirectionDue]
    mails_sent: int = 0
    dry_run: bool = False

    @property
    def reminded(self) -> list[DirectionDue]:
        return [due for due in self.dues if not due.already_reminded and due.recipients]

    @property
    def skipped_today(self) -> list[DirectionDue]:
        return [due for due in self.dues if due.already_reminded]

    @property
    def unreachable(self) -> list[DirectionDue]:
        return [due for due in self.dues if not due.already_reminded and not due.recipients]


def base_url() -> str:
    return getattr(settings, "SPASER_BASE_URL", "") or DEFAULT_BASE_URL


def due_campaigns(today: date):
    """Open campaigns due within the window or past due."""
    return Campaign.objects.open().filter(due_date__lte=today + timedelta(days=REMINDER_WINDOW_DAYS))


def _dues(campaigns, today: date) -> list[DirectionDue]:
    pending = (
        CampaignEntry.objects.filter(campaign__in=campaigns)
        .pending()
        .select_related("campaign__scheme", "direction", "indicator")
        .order_by("campaign_id", "direction__name", "indicator__code")
    )
    grouped: dict[tuple, list[CampaignEntry]] = defaultdict(list)
    for entry in pending:
        grouped[(entry.campaign_id, entry.direction_id)].append(entry)
    reminded = set(
        Reminder.objects.filter(campaign__in=campaigns, sent_on=today).values_list(
            "campaign_id", "direction_id"
        )
    )
    organisation_ids = {entries[0].campaign.scheme.organisation_id for entries in grouped.values()}
    members = list(
        Membership.objects.filter(organisation_id__in=organisation_ids, user__is_active=True)
        .filter(role__in=[*DIRECTION_ROLES, Role.PILOT])
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    dues = []
    for (campaign_id, direction_id), entries in grouped.items():
        campaign = entries[0].campaign
        organisation_id = campaign.scheme.organisation_id
        people = [
            m.user
            for m in members
            if m.organisation_id == organisation_id
            and (
                (direction_id is None and m.role == Role.PILOT)
                # A pilot attached to a direction (the purchasing direction, often) reports for it too.
                or (direction_id is not None and m.direction_id == direction_id)
            )
        ]
        dues.append(
            DirectionDue(
                campaign=campaign,
                direction=entries[0].direction,
                entries=entries,
                recipients=[user for user in people if user.email],
                without_email=[user for user in people if not user.email],
                already_reminded=(campaign_id, direction_id) in reminded,
            )
        )
    return dues


def send_reminders(
    *,
    today: date | None = None,
    campaigns=None,
    trigger: str = ReminderTrigger.SCHEDULE,
    user=None,
    dry_run: bool = False,
    site_url: str = "",
) -> ReminderReport:
    """Remind every direction that owes entries in `campaigns` (default: the open campaigns due soon).
    One e-mail per person, listing every campaign and indicator they owe; never twice a day."""
    today = today or timezone.localdate()
    campaigns = due_campaigns(today) if campaigns is None else campaigns
    with transaction.atomic():
        dues = _dues(campaigns, today)
        report = ReminderReport(dues=dues, dry_run=dry_run)
        per_person: dict[int, tuple[object, list[DirectionDue]]] = {}
        for due in report.reminded:
            for person in due.recipients:
                per_person.setdefault(person.pk, (person, []))[1].append(due)
        if dry_run:
            report.mails_sent = 0
            return report
        for due in report.reminded:
            Reminder.objects.create(
                campaign=due.campaign,
                direction=due.direction,
                recipients=[person.email for person in due.recipients],
                indicators=[entry.indicator.code for entry in due.entries],
                sent_on=today,
                trigger=trigger,
                sent_by=user,
            )
    root = (site_url or base_url()).rstrip("/")
    for person, person_dues in per_person.values():
        _mail(person, person_dues, root)
        report.mails_sent += 1
    return report


def _mail(person, dues: list[DirectionDue], root: str) -> None:
    items = [
        {
            "due": due,
            "url": root + reverse("campaigns:detail", args=[due.campaign.pk]),
            "entries": due.entries,
        }
        for due in dues
    ]
    context = {"person": person, "items": items}
    subject = (
        f"Indicateurs à saisir avant le {dues[0].campaign.due_date:%d/%m/%Y}"
        if len(dues) == 1
        else f"Indicateurs à saisir : {len(dues)} campagnes"
    )
    send_mail(
        subject=f"[Spaser] {subject}",
        message=render_to_string("campaigns/email/reminder.txt", context),
        from_email=None,
        recipient_list=[person.email],
    )
