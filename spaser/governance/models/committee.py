"""The committees that steer the scheme (domain.md §9): a monthly COTECH and a semi-annual COPIL, and their
members (people of the directions and of the general management, with or without a Spaser account)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from spaser.organisations.models import Direction, Organisation


class CommitteeKind(models.TextChoices):
    COTECH = "cotech", "Comité technique (COTECH)"
    COPIL = "copil", "Comité de pilotage (COPIL)"


# How often each kind meets, in months (domain.md §9): the calendar proposes the next dates from it.
DEFAULT_FREQUENCY = {CommitteeKind.COTECH: 1, CommitteeKind.COPIL: 6}


class Committee(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="committees")
    kind = models.CharField("type", max_length=8, choices=CommitteeKind.choices)
    name = models.CharField("nom", max_length=200)
    description = models.TextField("rôle", blank=True)
    frequency_months = models.PositiveSmallIntegerField("périodicité (mois)", default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "comité"
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="committee_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    name = models.CharField("nom", max_length=200)
    function = models.CharField("fonction", max_length=200, blank=True)
    direction = models.ForeignKey(
        Direction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="direction",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name="compte Spaser",
    )
    email = models.EmailField("courriel", blank=True)
    is_active = models.BooleanField("membre actuel", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "membre de comité"
        verbose_name_plural = "membres de comité"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.committee.get_kind_display()})"
