"""The *juste besoin* review of a purchase project (domain.md §7): the questionnaire of the renewal reviews
(spaser/renewals/questionnaire.py, section D for renewals only) and its outcome."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from spaser.renewals.questionnaire import empty_answers

from .project import Project


class Outcome(models.TextChoices):
    PENDING = "pending", "À décider"
    BUY = "buy", "Acheter comme prévu"
    REDUCE = "reduce", "Réduire le besoin"
    POOL = "pool", "Mutualiser"
    RENT = "rent", "Louer"
    REUSE = "reuse", "Réemployer"
    REPAIR = "repair", "Réparer"
    STOP = "stop", "Renoncer à l'achat"


# Outcomes that change the need (T2 counts them); « acheter comme prévu » does not.
CHANGED = frozenset({Outcome.REDUCE, Outcome.POOL, Outcome.RENT, Outcome.REUSE, Outcome.REPAIR, Outcome.STOP})


class NeedReviewQuerySet(models.QuerySet):
    def decided(self):
        return self.exclude(outcome=Outcome.PENDING)


class NeedReview(models.Model):
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="need_review", verbose_name="projet"
    )
    answers = models.JSONField("réponses au questionnaire du juste besoin", default=empty_answers)
    outcome = models.CharField(
        "issue de la revue", max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    justification = models.TextField("justification", blank=True)
    avoided_amount = models.DecimalField(
        "montant évité estimé (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    reviewed_at = models.DateTimeField("décidée le", null=True, blank=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = NeedReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "revue du juste besoin"
        verbose_name_plural = "revues du juste besoin"
        constraints = [
            models.CheckConstraint(
                condition=Q(avoided_amount__isnull=True) | Q(avoided_amount__gte=0),
                name="need_review_avoided_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Revue du besoin {self.project.reference}"

    @property
    def is_decided(self) -> bool:
        return self.outcome != Outcome.PENDING

    @property
    def covers_carbon_energy(self) -> bool:
        """E8: the review looked at the purchase's carbon and energy footprint (question c_carbon_energy)."""
        return (self.answers or {}).get("c_carbon_energy", {}).get("answer") == "yes"
