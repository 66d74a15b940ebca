"""Renewal reviews: the *juste besoin* questioned again before a contract ends or is renewed (domain.md §7 D).

One review per contract and due date (the renewal deadline when known, else the end date): a contract
renewed once and reaching its next deadline gets a new review.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from spaser.contracts.models import Contract

from .questionnaire import empty_answers


class Decision(models.TextChoices):
    PENDING = "pending", "À décider"
    RENEW = "renew", "Reconduire à l'identique"
    MODIFY = "modify", "Modifier le périmètre"
    POOL = "pool", "Mutualiser"
    RENT = "rent", "Louer"
    REUSE = "reuse", "Réemployer"
    STOP = "stop", "Arrêter"


# Decisions after which the need is still bought (a renewal or a relaunch): the denominator of T1.
CONTINUING = frozenset({Decision.RENEW, Decision.MODIFY, Decision.POOL, Decision.RENT})


class RenewalReviewQuerySet(models.QuerySet):
    def decided(self):
        return self.exclude(decision=Decision.PENDING)

    def for_organisation(self, organisation):
        return self.filter(organisation.buyer_filter("contract__buyer_siret"))


class RenewalReview(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="renewal_reviews", verbose_name="marché"
    )
    due_date = models.DateField(
        "échéance revue", help_text="Date limite de reconduction, ou date de fin du marché."
    )
    decision = models.CharField("décision", max_length=16, choices=Decision.choices, default=Decision.PENDING)
    answers = models.JSONField("réponses au questionnaire du juste besoin", default=empty_answers)
    justification = models.TextField("justification", blank=True)
    avoided_amount = models.DecimalField(
        "montant évité estimé (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="ouverte par",
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
    created_at = models.DateTimeField("ouverte le", auto_now_add=True)
    updated_at = models.DateTimeField("mise à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = RenewalReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "revue de renouvellement"
        verbose_name_plural = "revues de renouvellement"
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "due_date"], name="renewal_review_one_per_due_date"),
            models.CheckConstraint(
                condition=Q(avoided_amount__isnull=True) | Q(avoided_amount__gte=0),
                name="renewal_review_avoided_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Revue {self.contract.uid} ({self.due_date:%d/%m/%Y})"

    @property
    def is_decided(self) -> bool:
        return self.decision != Decision.PENDING
