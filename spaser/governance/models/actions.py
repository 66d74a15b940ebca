"""Corrective actions decided in a committee: an owner direction, a due date, the expected effect, a status
and the follow-up comments; carried into every later pack of the organisation until closed."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from spaser.organisations.models import Direction, Organisation
from spaser.schemes.models import Commitment, Indicator

from .meeting import Decision, Meeting


class CorrectiveStatus(models.TextChoices):
    OPEN = "open", "À engager"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    ABANDONED = "abandoned", "Abandonnée"


CLOSED = frozenset({CorrectiveStatus.DONE, CorrectiveStatus.ABANDONED})


class CorrectiveActionQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED)

    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)


class CorrectiveAction(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="corrective_actions"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="corrective_actions", verbose_name="décidée en séance"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrective_actions"
    )
    title = models.CharField("action", max_length=300)
    description = models.TextField("description", blank=True)
    owner_direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name="direction pilote",
    )
    due_date = models.DateField("échéance")
    expected_effect = models.TextField("effet attendu")
    status = models.CharField(
        "état", max_length=16, choices=CorrectiveStatus.choices, default=CorrectiveStatus.OPEN
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="indicateur",
    )
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="engagement",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action corrective"
        verbose_name_plural = "actions correctives"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class CorrectiveActionUpdate(models.Model):
    """A follow-up comment, with the status it set (kept even if the action is later edited)."""

    action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField("état", max_length=16, choices=CorrectiveStatus.choices)
    comment = models.TextField("commentaire")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField("le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "suivi d'action corrective"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} : {self.get_status_display()}"
