"""Contracts: one lot = one contract, key `uid` (buyer SIRET + buyer's id), with their suppliers.

Considerations are tri-state: True (has one), False (explicit "Pas de considération…"), None (unknown,
the field was absent). domain.md §5 rule 4: unknown is never counted as no.
"""

from django.db import models

from spaser.organisations.models import Direction, Organisation
from spaser.suppliers.models import Supplier


class ContractKind(models.TextChoices):
    MARCHE = "marche", "Marché"
    CONCESSION = "concession", "Contrat de concession"


class ContractOrigin(models.TextChoices):
    DECP = "decp", "Données essentielles (DECP)"
    REGISTER = "register", "Registre interne seulement"


class ReservedArticle(models.TextChoices):
    NONE = "", "—"
    L2113_12 = "L2113-12", "L2113-12 (entreprises adaptées, ESAT)"
    L2113_13 = "L2113-13", "L2113-13 (structures d'insertion)"
    L2113_15 = "L2113-15", "L2113-15 (entreprises de l'ESS)"


class AttributionSource(models.TextChoices):
    NONE = "", "Non attribué"
    RULE = "rule", "Règle d'attribution"
    IMPORT = "import", "Import"
    MANUAL = "manual", "Choix manuel"


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
    current_amount = models.DecimalField(
        "montant actuel (€ HT)",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Après modifications (valeurs absolues, dans l'ordre) ; sinon le montant initial.",
    )
    framework_id = models.CharField("identifiant de l'accord-cadre", max_length=64, blank=True)
    modifications = models.JSONField("modifications", default=list, blank=True)
    duration_months = models.PositiveIntegerField("durée initiale (mois)", null=True, blank=True)
    current_duration_months = models.PositiveIntegerField("durée actuelle (mois)", null=True, blank=True)
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

    # What DECP lacks, from internal registers (spaser.registers).
    end_date = models.DateField("date de fin", null=True, blank=True)
    end_date_estimated = models.BooleanField(
        "date de fin estimée",
        default=False,
        help_text="Calculée : notification + durée, faute de date importée.",
    )
    renewal_deadline = models.DateField("date limite de reconduction", null=True, blank=True)
    reserved_article = models.CharField(
        "article du marché réservé", max_length=16, choices=ReservedArticle.choices, blank=True, default=""
    )
    estimated_spend = models.DecimalField(
        "dépense estimée (€ HT)", max_digits=16, decimal_places=2, null=True, blank=True
    )
    insertion_hours_planned = models.DecimalField(
        "heures d'insertion prévues", max_digits=12, decimal_places=2, null=True, blank=True
    )
    origin = models.CharField(
        "origine", max_length=16, choices=ContractOrigin.choices, default=ContractOrigin.DECP
    )
    sources = models.JSONField(
        "sources", default=list, blank=True, help_text="Fichiers et plateformes où ce marché a été lu."
    )

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
