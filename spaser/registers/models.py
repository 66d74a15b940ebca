"""Internal registers and insertion hours: what DECP lacks, brought by the buyer's own files.

- `ColumnMapping`: which column of a file holds which field, saved under a name and reused;
- `RegisterUpload`: a file between its upload and its import (mapping and preview steps);
- `RegisterImport`: one run, tied to its organisation and to the shared `ImportBatch`;
- `InsertionHours` / `InsertionParticipant`: a facilitator's export, per contract and period. Participants are
  pseudonymous: no name is ever stored, only the facilitator's reference.
"""

from django.conf import settings
from django.db import models

from spaser.organisations.models import Organisation


class RegisterKind(models.TextChoices):
    CONTRACTS = "contracts", "Registre de marchés"
    INSERTION = "insertion", "Heures d'insertion"


class ColumnMapping(models.Model):
    """`mapping` = {field key: column header as written in the file}."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="column_mappings")
    kind = models.CharField("type de fichier", max_length=16, choices=RegisterKind.choices)
    name = models.CharField("nom", max_length=100)
    mapping = models.JSONField("correspondance des colonnes", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "correspondance de colonnes"
        verbose_name_plural = "correspondances de colonnes"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "name"], name="column_mapping_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class RegisterUpload(models.Model):
    """An uploaded file waiting to be mapped, previewed and imported (the steps of the upload pages)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="register_uploads")
    kind = models.CharField("type de fichier", max_length=16, choices=RegisterKind.choices)
    file = models.FileField("fichier", upload_to="registers/uploads/")
    original_name = models.CharField("nom du fichier", max_length=255)
    sheet = models.CharField("feuille", max_length=100, blank=True)
    encoding = models.CharField("encodage", max_length=20, blank=True)
    delimiter = models.CharField("séparateur", max_length=2, blank=True)
    mapping = models.JSONField("correspondance des colonnes", default=dict, blank=True)
    saved_mapping = models.ForeignKey(
        ColumnMapping, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    batch = models.ForeignKey(
        "contracts.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "fichier déposé"
        verbose_name_plural = "fichiers déposés"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


class RegisterImport(models.Model):
    """One register or insertion import of an organisation. `ImportBatch` carries the shared counts;
    this row scopes it to the organisation and keeps what ImportBatch has no column for (rejected rows)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="register_imports")
    batch = models.OneToOneField(
        "contracts.ImportBatch", on_delete=models.CASCADE, related_name="register_import"
    )
    kind = models.CharField("type de fichier", max_length=16, choices=RegisterKind.choices)
    mapping_name = models.CharField("correspondance utilisée", max_length=100, blank=True)
    rejected = models.PositiveIntegerField("lignes rejetées", default=0)

    class Meta:
        verbose_name = "import de registre"
        verbose_name_plural = "imports de registres"
        ordering = ["-batch__started_at"]

    def __str__(self) -> str:
        return str(self.batch)


class Gender(models.TextChoices):
    FEMALE = "F", "Femme"
    MALE = "M", "Homme"
    OTHER = "autre", "Autre"
    UNKNOWN = "", "Inconnu"


class InsertionHours(models.Model):
    """Hours of an insertion clause for one contract over one period, as the facilitator reports them."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="insertion_hours"
    )
    period_start = models.DateField("début de période")
    period_end = models.DateField("fin de période")
    hours_planned = models.DecimalField(
        "heures prévues", max_digits=12, decimal_places=2, null=True, blank=True
    )
    hours_realised = models.DecimalField(
        "heures réalisées", max_digits=12, decimal_places=2, null=True, blank=True
    )
    batch = models.ForeignKey(
        "contracts.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "heures d'insertion"
        verbose_name_plural = "heures d'insertion"
        ordering = ["contract", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start", "period_end"], name="insertion_hours_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"


class InsertionParticipant(models.Model):
    """One person's hours on a contract over a period. `person_ref` is the facilitator's pseudonymous
    reference (never a name): it lets the same person be counted once across contracts."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="insertion_participants"
    )
    period = models.ForeignKey(InsertionHours, on_delete=models.CASCADE, related_name="participants")
    person_ref = models.CharField("référence de la personne", max_length=64)
    gender = models.CharField("genre", max_length=8, choices=Gender.choices, blank=True, default="")
    resident = models.BooleanField("résident du territoire", null=True)
    hours = models.DecimalField("heures", max_digits=10, decimal_places=2, null=True, blank=True)
    batch = models.ForeignKey(
        "contracts.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "participant à une clause d'insertion"
        verbose_name_plural = "participants aux clauses d'insertion"
        ordering = ["period", "person_ref"]

    def __str__(self) -> str:
        return f"{self.person_ref} ({self.period})"
