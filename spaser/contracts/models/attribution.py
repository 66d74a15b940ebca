"""Rules attributing contracts to directions: DECP does not say which direction bought (§5 rule 6)."""

from django.core.exceptions import ValidationError
from django.db import models

from spaser.organisations.models import Direction, Organisation


class AttributionRule(models.Model):
    """A contract matching every condition set on the rule goes to its direction. Among matching rules the
    lowest priority number wins, then the most specific (longest CPV prefix). A manual or imported
    attribution is never overridden by a rule."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="attribution_rules")
    direction = models.ForeignKey(Direction, on_delete=models.CASCADE, related_name="attribution_rules")
    priority = models.PositiveSmallIntegerField("priorité", default=100, help_text="La plus petite gagne.")
    cpv_prefix = models.CharField("début du code CPV", max_length=8, blank=True)
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14, blank=True)
    keyword = models.CharField("mot de l'objet", max_length=100, blank=True)
    min_amount = models.DecimalField(
        "montant minimal (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        "montant maximal (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "règle d'attribution"
        verbose_name_plural = "règles d'attribution"
        ordering = ["priority", "-cpv_prefix"]

    def __str__(self) -> str:
        return f"{self.describe()} → {self.direction}"

    def describe(self) -> str:
        parts = []
        if self.cpv_prefix:
            parts.append(f"CPV {self.cpv_prefix}…")
        if self.buyer_siret:
            parts.append(f"acheteur {self.buyer_siret}")
        if self.keyword:
            parts.append(f"objet contenant « {self.keyword} »")
        if self.min_amount is not None:
            parts.append(f"montant ≥ {self.min_amount} €")
        if self.max_amount is not None:
            parts.append(f"montant ≤ {self.max_amount} €")
        return ", ".join(parts) or "toute condition"

    def clean(self):
        if (
            not any([self.cpv_prefix, self.buyer_siret, self.keyword])
            and self.min_amount is None
            and (self.max_amount is None)
        ):
            raise ValidationError(
                "Une règle doit poser au moins une condition (CPV, acheteur, mot, montant)."
            )
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            raise ValidationError(
                {"max_amount": "Le montant maximal doit être supérieur au montant minimal."}
            )
