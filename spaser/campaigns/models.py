"""Input campaigns for the manual indicators: the pilot opens a campaign for a period, each direction
enters the values of the indicators it owns, the pilot validates or sends back. Validated values become
IndicatorValue rows (spaser/campaigns/services.py), so dashboards and exports read manual and computed
values alike.

Campaigns and entries are historised (django-simple-history): every state change is a history row with its
author and a reason (« Saisie transmise », « Renvoyée pour correction »…), shown on the entry page.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from simple_history.models import HistoricalRecords

from spaser.indicators.periods import Period
from spaser.organisations.models import Direction
from spaser.schemes.models import Indicator, Scheme


class CampaignStatus(models.TextChoices):
    OPEN = "open", "Ouverte"
    CLOSED = "closed", "Clôturée"


class EntryStatus(models.TextChoices):
    TO_ENTER = "to_enter", "À saisir"
    SUBMITTED = "submitted", "Transmise"
    VALIDATED = "validated", "Validée"
    SENT_BACK = "sent_back", "Renvoyée"


# Entries a direction still owes: what reminders are about.
PENDING_STATUSES = (EntryStatus.TO_ENTER, EntryStatus.SENT_BACK)
# Entries the direction (or the pilot) may still change.
EDITABLE_STATUSES = (EntryStatus.TO_ENTER, EntryStatus.SENT_BACK)

# Periods a campaign may cover: the year and its semesters, quarters and months (not the year-to-date cumuls,
# which are a computed view of monthly data, not something a direction reports).
PERIOD_KEYS = ("A", "S1", "S2", "T1", "T2", "T3", "T4", *(f"M{m:02d}" for m in range(1, 13)))


class CampaignQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=CampaignStatus.OPEN)

    def for_organisation(self, organisation):
        return self.filter(scheme__organisation=organisation)

    def with_progress(self):
        """Annotates `entry_count` and `validated_count` (the « 12 / 18 validées » of the list)."""
        return self.annotate(
            entry_count=Count("entries"),
            validated_count=Count("entries", filter=Q(entries__status=EntryStatus.VALIDATED)),
        )


class Campaign(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="campaigns")
    year = models.PositiveSmallIntegerField("année")
    period = models.CharField(
        "période", max_length=3, default="A", help_text="« A » l'année ; S1-S2, T1-T4, M01-M12."
    )
    title = models.CharField("intitulé", max_length=200)
    status = models.CharField(
        "statut", max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    due_date = models.DateField("date limite de saisie")
    note = models.TextField("message aux directions", blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="ouverte par"
    )
    opened_at = models.DateTimeField("ouverte le", auto_now_add=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "campagne de saisie"
        verbose_name_plural = "campagnes de saisie"
        ordering = ["-year", "-period", "-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year", "period"], name="campaign_unique_period"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_obj(self) -> Period:
        return Period(self.year, self.period)

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class CampaignEntryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=PENDING_STATUSES)

    def for_direction(self, direction):
        return self.filter(direction=direction)


def evidence_path(entry: CampaignEntry, filename: str) -> str:
    """MEDIA_ROOT/campaigns/<campaign id>/<entry id>-<name>: a campaign's evidence files stay together."""
    return str(Path("campaigns") / str(entry.campaign_id) / f"{entry.pk or 'nouvelle'}-{filename}")


class CampaignEntry(models.Model):
    """The value one direction reports for one manual indicator in one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="campaign_entries")
    direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaign_entries",
        verbose_name="direction",
        help_text="La direction responsable de l'indicateur ; vide : le pilote saisit.",
    )
    status = models.CharField(
        "statut", max_length=16, choices=EntryStatus.choices, default=EntryStatus.TO_ENTER
    )
    value = models.DecimalField("valeur", max_digits=18, decimal_places=4, null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)
    evidence = models.FileField("justificatif", upload_to=evidence_path, blank=True, max_length=255)
    evidence_name = models.CharField("nom du justificatif", max_length=255, blank=True)
    evidence_type = models.CharField("type du justificatif", max_length=8, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    entered_at = models.DateTimeField("saisie le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="examinée par",
    )
    reviewed_at = models.DateTimeField("examinée le", null=True, blank=True)
    review_comment = models.TextField("commentaire du pilote", blank=True)

    objects = CampaignEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "saisie"
        verbose_name_plural = "saisies"
        ordering = ["direction__name", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "indicator"], name="campaign_entry_unique_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} — {self.campaign}"

    @property
    def reporter_label(self) -> str:
        """Who reports: « la Direction de la voirie », or the pilot when the indicator has no direction."""
        return self.direction.name if self.direction_id else "Pilote du schéma"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ReminderTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Relance automatique quotidienne"
    COMMAND = "command", "Commande remind_campaigns"
    BUTTON = "button", "Bouton « Relancer maintenant »"


class Reminder(models.Model):
    """One reminder sent to the members of one direction (or to the pilots, for entries without direction)
    about one campaign. Its `sent_on` date keeps anybody from being reminded twice the same day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    direction = models.ForeignKey(
        Direction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipients = models.JSONField("destinataires", default=list)
    indicators = models.JSONField("indicateurs à saisir", default=list)
    sent_on = models.DateField("date d'envoi")
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)
    trigger = models.CharField("origine", max_length=16, choices=ReminderTrigger.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "relance"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Relance {self.campaign} — {self.direction or 'pilote'} ({self.sent_on:%d/%m/%Y})"
