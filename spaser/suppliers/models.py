"""Suppliers (titulaires) and what we know of them: identity, size, social economy, inclusive status,
location.

Flags are tri-state where the source may be silent: None = not known, never "no" (domain.md §5).
"""

from django.db import models


class SizeCategory(models.TextChoices):
    UNKNOWN = "", "Inconnue"
    PME = "PME", "PME (dont TPE)"
    ETI = "ETI", "Entreprise de taille intermédiaire"
    GE = "GE", "Grande entreprise"


class InclusiveKind(models.TextChoices):
    """Inclusive structures (L2113-12 and L2113-13 reserved contracts)."""

    NONE = "", "—"
    SIAE_ACI = "ACI", "SIAE — atelier et chantier d'insertion"
    SIAE_AI = "AI", "SIAE — association intermédiaire"
    SIAE_EI = "EI", "SIAE — entreprise d'insertion"
    SIAE_ETTI = "ETTI", "SIAE — entreprise de travail temporaire d'insertion"
    SIAE_EITI = "EITI", "SIAE — entreprise d'insertion par le travail indépendant"
    EA = "EA", "Entreprise adaptée"
    ESAT = "ESAT", "Établissement et service d'accompagnement par le travail"


SIAE_KINDS = {"ACI", "AI", "EI", "ETTI", "EITI"}


class SupplierQuerySet(models.QuerySet):
    def inclusive(self):
        return self.exclude(inclusive_kind="")

    def siae(self):
        return self.filter(inclusive_kind__in=SIAE_KINDS)


class Supplier(models.Model):
    identifier = models.CharField("identifiant", max_length=64)
    identifier_type = models.CharField("type d'identifiant", max_length=32, default="SIRET")
    siren = models.CharField("SIREN", max_length=9, blank=True, db_index=True)
    name = models.CharField("nom", max_length=300, blank=True)

    legal_category = models.CharField("catégorie juridique", max_length=4, blank=True)
    size_category = models.CharField(
        "catégorie d'entreprise", max_length=3, choices=SizeCategory.choices, blank=True, default=""
    )
    is_ess = models.BooleanField("économie sociale et solidaire", null=True)
    inclusive_kind = models.CharField(
        "structure inclusive", max_length=8, choices=InclusiveKind.choices, blank=True, default=""
    )
    inclusive_source = models.CharField("liste d'origine du statut inclusif", max_length=200, blank=True)
    inclusive_list_date = models.DateField("date de la liste inclusive", null=True, blank=True)
    commune_code = models.CharField("commune (code INSEE)", max_length=5, blank=True)
    commune_name = models.CharField("commune", max_length=120, blank=True)
    departement_code = models.CharField("département", max_length=3, blank=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    enriched_at = models.DateTimeField("enrichi le", null=True, blank=True)
    enrichment_source = models.CharField("source de l'enrichissement", max_length=64, blank=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = "titulaire"
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_type", "identifier"], name="supplier_unique_identifier"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.identifier_type} {self.identifier}"

    @property
    def is_sme(self) -> bool | None:
        return None if not self.size_category else self.size_category == SizeCategory.PME


class InclusiveSupplier(models.Model):
    """One entry of an imported inclusive-supplier list (SIAE, EA, ESAT), kept so that suppliers seen later
    get their flag too."""

    siret = models.CharField("SIRET", max_length=14, db_index=True)
    siren = models.CharField("SIREN", max_length=9, db_index=True)
    kind = models.CharField("type", max_length=8, choices=InclusiveKind.choices)
    source = models.CharField("liste source", max_length=200)
    list_date = models.DateField("date de la liste", null=True, blank=True)

    class Meta:
        verbose_name = "structure inclusive (liste)"
        verbose_name_plural = "structures inclusives (listes)"
        constraints = [
            models.UniqueConstraint(fields=["siret", "kind", "source"], name="inclusive_supplier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.siret} ({self.kind})"


class CompanyLookup(models.Model):
    """Cache of the public company search API (API Recherche d'entreprises), one row per SIREN asked.

    `payload` is the matching result as received (None when the API knows no such SIREN): a re-run of the
    enrichment reads it instead of calling the API again until it is older than the cache lifetime."""

    siren = models.CharField("SIREN", max_length=9, unique=True)
    payload = models.JSONField("réponse", null=True, blank=True)
    fetched_at = models.DateTimeField("interrogé le")

    class Meta:
        verbose_name = "réponse de l'API Recherche d'entreprises"
        verbose_name_plural = "réponses de l'API Recherche d'entreprises"

    def __str__(self) -> str:
        return f"{self.siren} ({self.fetched_at:%Y-%m-%d})"
