"""Computed indicator values, each with its provenance (numerator, denominator, unknowns, perimeter,
data date, method version): no figure without the counts behind it."""

from django.db import models
from simple_history.models import HistoricalRecords

from spaser.organisations.models import Direction
from spaser.schemes.models import Indicator

ORGANISATION_SCOPE = "organisation"


class IndicatorValueQuerySet(models.QuerySet):
    def for_year(self, year: int):
        """The values of the whole year (not of its sub-periods)."""
        return self.filter(year=year, period="A")

    def for_period(self, period):
        return self.filter(year=period.year, period=period.key)

    def organisation_scope(self):
        return self.filter(scope=ORGANISATION_SCOPE)


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField("année")
    period = models.CharField(
        "période",
        max_length=3,
        default="A",
        help_text="« A » l'année ; S1-S2, T1-T4, M01-M12 ; C01-C11 : de janvier à la fin du mois.",
    )
    scope = models.CharField(
        "périmètre", max_length=80, help_text="« organisation », « buyer:<SIRET> » ou « direction:<slug> »."
    )
    direction = models.ForeignKey(
        Direction, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    value = models.DecimalField("valeur", max_digits=18, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField("numérateur", max_digits=20, decimal_places=2)
    denominator = models.DecimalField("dénominateur", max_digits=20, decimal_places=2)
    unknown = models.PositiveIntegerField("inconnus", default=0)
    details = models.JSONField("détail du calcul", default=dict, blank=True)
    perimeter = models.TextField("périmètre des données")
    data_date = models.DateField("date des données", null=True, blank=True)
    method_version = models.CharField("version de la méthode", max_length=32)
    computed_at = models.DateTimeField("calculé le", auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["indicator", "year", "period", "scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "period", "scope"], name="indicator_value_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} {self.period} {self.scope} = {self.value}"
