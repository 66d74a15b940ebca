"""Computed indicator values, each with its provenance (numerator, denominator, unknowns, perimeter,
data date, method version): no figure without the counts behind it."""

from django.db import models
from simple_history.models import HistoricalRecords

from spaser.organisations.models import Direction
from spaser.schemes.models import Indicator

ORGANISATION_SCOPE = "organisation"


class IndicatorValueQuerySet(models.QuerySet):
    def for_year(self, year: int):
        return self.filter(year=year)

    def organisation_scope(self):
        return self.filter(scope=ORGANISATION_SCOPE)


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField("année")
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
        ordering = ["indicator", "year", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "scope"], name="indicator_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} {self.scope} = {self.value}"
