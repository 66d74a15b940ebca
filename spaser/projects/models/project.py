"""Purchase projects: a need of a prescribing direction followed from its definition to the contract's end
(domain.md §8), with every stage change recorded."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from spaser.contracts.models import Contract
from spaser.organisations.models import Direction, Organisation

from ..stages import LAUNCHED, Stage

cpv_validator = RegexValidator(r"^\d{8}$", "Le code CPV doit comporter 8 chiffres (sans la clé de contrôle).")


class Nature(models.TextChoices):
    SUPPLIES = "supplies", "Fournitures"
    SERVICES = "services", "Services"
    WORKS = "works", "Travaux"


class ProjectQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def active(self):
        return self.exclude(stage__in=[Stage.CLOSING, Stage.ABANDONED])

    def launched(self):
        return self.filter(stage__in=LAUNCHED)


class Project(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="purchase_projects")
    direction = models.ForeignKey(
        Direction, on_delete=models.PROTECT, related_name="purchase_projects", verbose_name="direction"
    )
    reference = models.CharField(
        "référence", max_length=32, help_text="Attribuée à la création (P-2026-001)."
    )
    title = models.CharField("objet", max_length=300)
    description = models.TextField("description du besoin", blank=True)
    cpv = models.CharField("code CPV principal", max_length=8, validators=[cpv_validator])
    nature = models.CharField("nature", max_length=16, choices=Nature.choices)
    estimated_amount = models.DecimalField(
        "montant estimé (€ HT)",
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Sur toute la durée du marché, reconductions comprises.",
    )
    duration_months = models.PositiveIntegerField(
        "durée estimée (mois)", validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    planned_launch_date = models.DateField("lancement prévu de la consultation", null=True, blank=True)
    planned_notification_date = models.DateField("notification prévue", null=True, blank=True)
    stage = models.CharField("étape", max_length=16, choices=Stage.choices, default=Stage.NEED)
    launched_on = models.DateField(
        "consultation lancée le", null=True, blank=True, help_text="Enregistrée au passage à l'étape 5."
    )
    renewed_contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal_projects",
        verbose_name="marché renouvelé",
        help_text="Le marché en cours que ce projet remplace, s'il s'agit d'un renouvellement.",
    )
    contracts = models.ManyToManyField(
        Contract, blank=True, related_name="purchase_projects", verbose_name="marchés issus du projet"
    )

    # Considerations planned in the consultation documents (None: not decided yet — unknown ≠ no).
    env_clause = models.BooleanField("clause environnementale prévue", null=True, blank=True)
    env_criterion = models.BooleanField("critère environnemental prévu", null=True, blank=True)
    env_criterion_weight = models.PositiveSmallIntegerField(
        "pondération du critère environnemental (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    social_clause = models.BooleanField("clause sociale prévue", null=True, blank=True)
    social_criterion = models.BooleanField("critère social prévu", null=True, blank=True)
    insertion_hours = models.PositiveIntegerField("heures d'insertion prévues", null=True, blank=True)
    reserved_lot = models.BooleanField("lot réservé prévu", null=True, blank=True)
    climate_derogation = models.TextField(
        "dérogation loi Climat",
        blank=True,
        help_text="Motif d'une dérogation à l'article 35 de la loi Climat (clause ou critère absent).",
    )

    advice_override_reason = models.TextField("motif de la dérogation aux avis", blank=True)
    advice_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dérogation aux avis accordée par",
    )
    advice_override_at = models.DateTimeField("dérogation aux avis accordée le", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "projet d'achat"
        verbose_name_plural = "projets d'achat"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="project_unique_reference"),
            models.CheckConstraint(condition=Q(estimated_amount__gte=0), name="project_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def is_launched(self) -> bool:
        return self.stage in LAUNCHED

    @property
    def has_advice_override(self) -> bool:
        return bool(self.advice_override_reason)


class Transition(models.Model):
    """One stage change: who, when, from, to, why. Written only by workflow.move; never edited."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField("de", max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField("vers", max_length=16, choices=Stage.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="par"
    )
    at = models.DateTimeField("le", auto_now_add=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement d'étape"
        verbose_name_plural = "changements d'étape"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.project.reference} : {self.from_stage or '—'} → {self.to_stage}"
