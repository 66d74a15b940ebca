"""The scheme register: Scheme › Axis › Commitment › Objective / Action / Indicator (› Target).

Every model is historised (django-simple-history): who changed a target, a status or a definition, and when.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from spaser.organisations.models import Direction, Organisation


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "Projet"
    ADOPTED = "adopted", "Adopté"
    ARCHIVED = "archived", "Archivé"


class SchemeQuerySet(models.QuerySet):
    def adopted(self):
        return self.filter(status=SchemeStatus.ADOPTED)

    def current(self):
        """The scheme to show by default: adopted first, then the latest period."""
        return self.order_by(
            models.Case(
                models.When(status=SchemeStatus.ADOPTED, then=0),
                models.When(status=SchemeStatus.DRAFT, then=1),
                default=2,
            ),
            "-period_start",
        )


class Scheme(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="schemes")
    slug = models.SlugField("identifiant court", unique=True)
    title = models.CharField("titre", max_length=300)
    period_start = models.PositiveSmallIntegerField(
        "première année", validators=[MinValueValidator(2014), MaxValueValidator(2100)]
    )
    period_end = models.PositiveSmallIntegerField(
        "dernière année", validators=[MinValueValidator(2014), MaxValueValidator(2100)]
    )
    edition = models.PositiveSmallIntegerField("édition", default=1, validators=[MinValueValidator(1)])
    mutualised = models.BooleanField("schéma mutualisé", default=False)
    adoption_date = models.DateField("date d'adoption", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    public_url = models.URLField("adresse de publication", blank=True)
    summary = models.TextField("présentation", blank=True)
    note = models.TextField(
        "avertissement affiché",
        blank=True,
        help_text="Affiché en tête du schéma (par exemple : modèle à adapter).",
    )
    on_track_ratio = models.DecimalField(
        "seuil « en bonne voie »",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.90"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="Part de la cible à partir de laquelle l'indicateur est « en bonne voie » (0,90 = 90 %).",
    )
    at_risk_ratio = models.DecimalField(
        "seuil « à surveiller »",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="En dessous, l'indicateur est « en retard » (0,75 = 75 % de la cible).",
    )

    objects = SchemeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "schéma"
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="scheme_period_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(at_risk_ratio__lte=models.F("on_track_ratio")),
                name="scheme_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start}-{self.period_end})"

    @property
    def years(self) -> range:
        return range(self.period_start, self.period_end + 1)

    def indicators(self):
        """The scheme's indicators in register order (axis, commitment, indicator)."""
        return Indicator.objects.filter(commitment__axis__scheme=self).order_by(
            "commitment__axis__position", "commitment__position", "position", "code"
        )


class Axis(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="axes")
    code = models.CharField("numéro", max_length=16)
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "axe"
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="axis_unique_code")]

    def __str__(self) -> str:
        return f"Axe {self.code} — {self.title}"


class Commitment(models.Model):
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="commitments")
    code = models.CharField("numéro", max_length=16)
    title = models.CharField("intitulé", max_length=300)
    description = models.TextField("description", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "engagement"
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["axis", "code"], name="commitment_unique_code")]

    def __str__(self) -> str:
        return f"Engagement {self.code} — {self.title}"


class Objective(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField("objectif")
    deadline = models.DateField("échéance", null=True, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    ABANDONED = "abandoned", "Abandonnée"


class Action(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField("action", max_length=300)
    description = models.TextField("description", blank=True)
    owner_direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="direction pilote",
    )
    due_date = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "action"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="action_progress_max_100"),
        ]

    def __str__(self) -> str:
        return self.title


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    COUNT = "count", "nombre"
    EURO = "euro", "€"
    HOURS = "hours", "heures"
    DAYS = "days", "jours"
    TCO2E = "tco2e", "tCO2e"


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Plus haut, mieux c'est"
    LOWER_IS_BETTER = "lower", "Plus bas, mieux c'est"


class Frequency(models.TextChoices):
    YEARLY = "yearly", "Annuelle"
    SEMIANNUAL = "semiannual", "Semestrielle"
    QUARTERLY = "quarterly", "Trimestrielle"
    MONTHLY = "monthly", "Mensuelle"


MANUAL_METHOD = "manual"


class IndicatorQuerySet(models.QuerySet):
    def computed(self):
        return self.exclude(method=MANUAL_METHOD)


class Indicator(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("code", max_length=16)
    name = models.CharField("intitulé", max_length=300)
    definition = models.TextField("définition", blank=True)
    unit = models.CharField("unité", max_length=16, choices=Unit.choices, default=Unit.PERCENT)
    polarity = models.CharField(
        "sens", max_length=8, choices=Polarity.choices, default=Polarity.HIGHER_IS_BETTER
    )
    method = models.CharField(
        "méthode de calcul",
        max_length=64,
        default=MANUAL_METHOD,
        help_text="Clé d'une méthode du moteur d'indicateurs, ou « manual » pour une saisie.",
    )
    params = models.JSONField("paramètres de la méthode", default=dict, blank=True)
    frequency = models.CharField(
        "fréquence", max_length=16, choices=Frequency.choices, default=Frequency.YEARLY
    )
    source = models.CharField("source", max_length=200, blank=True)
    perimeter_note = models.TextField("périmètre", blank=True)
    owner_direction = models.ForeignKey(
        Direction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="direction responsable",
    )
    baseline_value = models.DecimalField(
        "valeur de référence", max_digits=18, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField("année de référence", null=True, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def scheme(self) -> Scheme:
        return self.commitment.axis.scheme

    @property
    def is_manual(self) -> bool:
        return self.method == MANUAL_METHOD


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField("année")
    value = models.DecimalField("cible", max_digits=18, decimal_places=4)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "cible"
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="target_unique_year")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year} : {self.value}"
