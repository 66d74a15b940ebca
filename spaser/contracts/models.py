"""Contracts (one lot = one contract, key `uid`), suppliers, import batches and quarantined records.

Considerations are tri-state: True (has one), False (explicit "Pas de considération…"), None (unknown,
the field was absent). domain.md §5 rule 4: unknown is never counted as no.
"""

from django.conf import settings
from django.db import models

from spaser.organisations.models import Direction, Organisation


class ContractKind(models.TextChoices):
    MARCHE = "marche", "Marché"
    CONCESSION = "concession", "Contrat de concession"


class AttributionSource(models.TextChoices):
    NONE = "", "Non attribué"
    RULE = "rule", "Règle d'attribution"
    IMPORT = "import", "Import"
    MANUAL = "manual", "Choix manuel"


class Supplier(models.Model):
    identifier = models.CharField("identifiant", max_length=64)
    identifier_type = models.CharField("type d'identifiant", max_length=32, default="SIRET")
    siren = models.CharField("SIREN", max_length=9, blank=True, db_index=True)
    name = models.CharField("nom", max_length=300, blank=True)

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


class ContractQuerySet(models.QuerySet):
    def marches(self):
        return self.filter(kind=ContractKind.MARCHE)

    def for_organisation(self, organisation: Organisation):
        return self.filter(organisation.buyer_filter())

    def for_buyer(self, identifier: str):
        if len(identifier) == 14:
            return self.filter(buyer_siret=identifier)
        return self.filter(buyer_siret__startswith=identifier)

    def notified_in(self, year: int):
        return self.filter(notification_year=year)


class Contract(models.Model):
    uid = models.CharField("identifiant national (uid)", max_length=80, unique=True)
    buyer_siret = models.CharField("SIRET de l'acheteur", max_length=14, db_index=True)
    contract_id = models.CharField("identifiant acheteur", max_length=64)
    kind = models.CharField("type", max_length=16, choices=ContractKind.choices, default=ContractKind.MARCHE)
    object = models.TextField("objet", blank=True)
    nature = models.CharField("nature", max_length=64, blank=True)
    procedure = models.CharField("procédure", max_length=128, blank=True)
    cpv = models.CharField("code CPV", max_length=8, blank=True)
    cpv_division = models.CharField("division CPV", max_length=2, blank=True, db_index=True)
    techniques = models.JSONField("techniques d'achat", default=list, blank=True)
    is_framework = models.BooleanField("accord-cadre", default=False)
    amount = models.DecimalField(
        "montant initial (€ HT)",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Vide quand le montant publié est absent ou manifestement fictif (voir les alertes).",
    )
    modified_amount = models.DecimalField(
        "montant après modifications (€ HT)",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Montant de la dernière modification qui en publie un (valeur absolue, pas un écart).",
    )
    framework_id = models.CharField("identifiant de l'accord-cadre", max_length=64, blank=True)
    modifications = models.JSONField("modifications", default=list, blank=True)
    duration_months = models.PositiveIntegerField("durée (mois)", null=True, blank=True)
    notification_date = models.DateField("date de notification", null=True, blank=True)
    notification_year = models.PositiveSmallIntegerField(
        "année de notification", null=True, blank=True, db_index=True
    )
    publication_date = models.DateField("date de publication", null=True, blank=True)
    place_code = models.CharField("lieu d'exécution", max_length=16, blank=True)

    social_considerations = models.JSONField("considérations sociales", null=True, blank=True)
    has_social = models.BooleanField("au moins une considération sociale", null=True)
    social_clause = models.BooleanField("clause sociale", null=True)
    social_criterion = models.BooleanField("critère social", null=True)
    reserved = models.BooleanField("marché réservé", null=True)
    environmental_considerations = models.JSONField("considérations environnementales", null=True, blank=True)
    has_environmental = models.BooleanField("au moins une considération environnementale", null=True)
    environmental_clause = models.BooleanField("clause environnementale", null=True)
    environmental_criterion = models.BooleanField("critère environnemental", null=True)

    bids_received = models.PositiveIntegerField("offres reçues", null=True, blank=True)
    advance_granted = models.BooleanField("avance attribuée", null=True)
    advance_rate = models.DecimalField("taux d'avance", max_digits=7, decimal_places=4, null=True, blank=True)
    innovative = models.BooleanField("marché innovant", null=True)
    subcontracting_declared = models.BooleanField("sous-traitance déclarée", null=True)

    direction = models.ForeignKey(
        Direction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name="direction",
    )
    direction_source = models.CharField(
        "origine de l'attribution", max_length=8, choices=AttributionSource.choices, blank=True, default=""
    )

    suppliers = models.ManyToManyField(Supplier, through="ContractSupplier", related_name="contracts")

    source_format = models.CharField("format source", max_length=32)
    source_name = models.CharField("fichier source", max_length=300, blank=True)
    quality_flags = models.JSONField("alertes qualité", default=list, blank=True)
    raw = models.JSONField("enregistrement source")
    content_hash = models.CharField("empreinte du contenu", max_length=64)
    imported_at = models.DateTimeField("importé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = "marché"
        ordering = ["-notification_date", "uid"]
        indexes = [models.Index(fields=["buyer_siret", "notification_year"], name="contract_buyer_year")]

    def __str__(self) -> str:
        return f"{self.uid} — {self.object[:60]}"


class ContractSupplier(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="contract_suppliers")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contract_links")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "supplier"], name="contract_supplier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} ← {self.supplier_id}"


class ImportBatch(models.Model):
    """One run of an importer: what was read and what became of each record."""

    source_name = models.CharField("fichier", max_length=300)
    source_format = models.CharField("format", max_length=32, blank=True)
    started_at = models.DateTimeField("début", auto_now_add=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    read = models.PositiveIntegerField("lus", default=0)
    created = models.PositiveIntegerField("créés", default=0)
    updated = models.PositiveIntegerField("mis à jour", default=0)
    unchanged = models.PositiveIntegerField("inchangés", default=0)
    duplicates = models.PositiveIntegerField("doublons", default=0)
    quarantined = models.PositiveIntegerField("en quarantaine", default=0)

    class Meta:
        verbose_name = "import"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import {self.source_name} ({self.started_at:%d/%m/%Y %H:%M})"


class QuarantinedRecord(models.Model):
    """A record that cannot be a contract, kept with the reasons and its raw source: nothing is lost."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="quarantined_records")
    position = models.PositiveIntegerField("position dans le fichier")
    reasons = models.JSONField("motifs")
    raw = models.JSONField("enregistrement source")

    class Meta:
        verbose_name = "enregistrement en quarantaine"
        verbose_name_plural = "enregistrements en quarantaine"
        ordering = ["batch", "position"]

    def __str__(self) -> str:
        return f"#{self.position} : {'; '.join(self.reasons)}"


class AttributionRule(models.Model):
    """Attributes contracts to a direction by CPV prefix (DECP does not say which direction bought)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="attribution_rules")
    cpv_prefix = models.CharField("début du code CPV", max_length=8)
    direction = models.ForeignKey(Direction, on_delete=models.CASCADE, related_name="attribution_rules")
    priority = models.PositiveSmallIntegerField("priorité", default=100)

    class Meta:
        verbose_name = "règle d'attribution"
        ordering = ["priority", "-cpv_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cpv_prefix"], name="attribution_unique_prefix"),
        ]

    def __str__(self) -> str:
        return f"CPV {self.cpv_prefix}… → {self.direction}"
