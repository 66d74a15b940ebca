"""Advice of the resource directions on purchase projects, and the referral rules deciding who must advise."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from spaser.organisations.models import Direction, Organisation

from .project import Nature, Project


class ReferralRule(models.Model):
    """« Projects matching these criteria are referred to this resource direction. » Every criterion given
    must match (CPV prefixes, natures, amount range, keywords: any listed value within one criterion)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="referral_rules")
    resource_direction = models.ForeignKey(
        Direction, on_delete=models.CASCADE, related_name="referral_rules", verbose_name="direction ressource"
    )
    name = models.CharField("intitulé", max_length=200)
    cpv_prefixes = models.CharField(
        "préfixes CPV",
        max_length=500,
        blank=True,
        help_text="Séparés par des virgules, de 2 à 8 chiffres (45 = travaux, 301 = matériel informatique).",
    )
    natures = models.JSONField("natures", default=list, blank=True, help_text="Vide : toutes les natures.")
    min_amount = models.DecimalField(
        "montant estimé minimal (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        "montant estimé maximal (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    keywords = models.CharField(
        "mots-clés", max_length=500, blank=True, help_text="Séparés par des virgules, cherchés dans l'objet."
    )
    deadline_days = models.PositiveSmallIntegerField(
        "délai de l'avis (jours)", default=15, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    is_active = models.BooleanField("active", default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "règle de saisine"
        verbose_name_plural = "règles de saisine"
        ordering = ["resource_direction__name", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} → {self.resource_direction}"

    @property
    def nature_labels(self) -> list[str]:
        return [Nature(n).label for n in self.natures if n in Nature.values]


class AdviceStatus(models.TextChoices):
    REQUESTED = "requested", "Demandé"
    IN_PROGRESS = "in_progress", "En cours"
    GIVEN = "given", "Rendu"
    NOT_NEEDED = "not_needed", "Sans objet"


class ReservedKind(models.TextChoices):
    EA_ESAT = "L2113-12", "Entreprises adaptées et ESAT (L2113-12)"
    SIAE = "L2113-13", "Structures d'insertion (L2113-13)"
    ESS = "L2113-15", "Entreprises de l'ESS (L2113-15)"


class AdviceQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[AdviceStatus.REQUESTED, AdviceStatus.IN_PROGRESS])

    def closed(self):
        return self.filter(status__in=[AdviceStatus.GIVEN, AdviceStatus.NOT_NEEDED])


class Advice(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="advices", verbose_name="projet"
    )
    resource_direction = models.ForeignKey(
        Direction, on_delete=models.PROTECT, related_name="advices", verbose_name="direction ressource"
    )
    rule = models.ForeignKey(
        ReferralRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advices",
        verbose_name="règle de saisine",
    )
    required = models.BooleanField("avis obligatoire", default=True)
    status = models.CharField(
        "état", max_length=16, choices=AdviceStatus.choices, default=AdviceStatus.REQUESTED
    )
    deadline = models.DateField("à rendre avant le", null=True, blank=True)
    stage_at_request = models.CharField("étape à la saisine", max_length=16, blank=True)

    # Recommendations (None: no opinion given on that point).
    insertion_clause = models.BooleanField("clause d'insertion", null=True, blank=True)
    insertion_hours = models.PositiveIntegerField("heures d'insertion recommandées", null=True, blank=True)
    reserved_lot = models.BooleanField("lot réservé", null=True, blank=True)
    reserved_kind = models.CharField(
        "type de réservation", max_length=16, choices=ReservedKind.choices, blank=True
    )
    social_criterion = models.BooleanField("critère social", null=True, blank=True)
    env_clause = models.BooleanField("clause environnementale", null=True, blank=True)
    env_criterion = models.BooleanField("critère environnemental", null=True, blank=True)
    env_criterion_weight = models.PositiveSmallIntegerField(
        "pondération du critère environnemental (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    sourcing = models.BooleanField("sourcing à mener", null=True, blank=True)
    sourcing_notes = models.TextField("sourcing : précisions", blank=True)
    sme_lots = models.BooleanField("allotissement adapté aux PME", null=True, blank=True)
    clauses = models.ManyToManyField(
        "projects.ClauseRecommendation", blank=True, related_name="advices", verbose_name="clauses retenues"
    )
    comment = models.TextField("avis", blank=True)

    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="rendu par",
    )
    given_at = models.DateTimeField("rendu le", null=True, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = AdviceQuerySet.as_manager()

    class Meta:
        verbose_name = "avis de direction ressource"
        verbose_name_plural = "avis des directions ressources"
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "resource_direction"], name="advice_one_per_direction"
            ),
        ]

    def __str__(self) -> str:
        return f"Avis {self.resource_direction} sur {self.project.reference}"

    @property
    def is_closed(self) -> bool:
        return self.status in (AdviceStatus.GIVEN, AdviceStatus.NOT_NEEDED)


class ClauseKind(models.TextChoices):
    INSERTION_CLAUSE = "insertion_clause", "Clause d'insertion"
    RESERVED_LOT = "reserved_lot", "Lot réservé"
    SOCIAL_CRITERION = "social_criterion", "Critère social"
    ENV_CLAUSE = "env_clause", "Clause environnementale"
    ENV_CRITERION = "env_criterion", "Critère environnemental"
    SOURCING = "sourcing", "Sourcing"
    SME_LOTS = "sme_lots", "Allotissement PME"


class ClauseRecommendationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_cpv(self, cpv: str):
        """Recommendations whose CPV prefix starts the code (the empty prefix applies to every purchase)."""
        prefixes = [cpv[:n] for n in range(2, 9)] + [""]
        return self.filter(cpv_prefix__in=prefixes)


class ClauseRecommendation(models.Model):
    """The clause library: recommendations per CPV family, offered in the advice form, shown on projects."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="clause_library")
    cpv_prefix = models.CharField(
        "famille CPV (préfixe)",
        max_length=8,
        blank=True,
        help_text="De 2 à 8 chiffres ; vide : tous les achats.",
    )
    family = models.CharField("famille d'achats", max_length=200)
    kind = models.CharField("type", max_length=24, choices=ClauseKind.choices)
    title = models.CharField("intitulé", max_length=300)
    text = models.TextField("rédaction proposée")
    suggested_weight = models.PositiveSmallIntegerField(
        "pondération suggérée (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    source = models.CharField("source", max_length=300, blank=True)
    is_active = models.BooleanField("active", default=True)

    history = HistoricalRecords()
    objects = ClauseRecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "recommandation de la bibliothèque de clauses"
        verbose_name_plural = "bibliothèque de clauses"
        ordering = ["cpv_prefix", "kind", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cpv_prefix="") | Q(cpv_prefix__regex=r"^\d{2,8}$"),
                name="clause_cpv_prefix_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family} — {self.title}"
