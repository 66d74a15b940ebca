"""Import runs and what they could not store: nothing read is ever lost."""

from django.conf import settings
from django.db import models


class ImportKind(models.TextChoices):
    DECP = "decp", "Données essentielles (DECP)"
    REGISTER = "register", "Registre interne de marchés"
    INSERTION = "insertion", "Heures d'insertion"
    SUPPLIERS = "suppliers", "Titulaires"


class ImportStatus(models.TextChoices):
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échoué"


class ImportBatch(models.Model):
    """One run of an importer: what was read and what became of each record."""

    kind = models.CharField("type", max_length=16, choices=ImportKind.choices, default=ImportKind.DECP)
    source_name = models.CharField("fichier", max_length=300)
    source_label = models.CharField(
        "source", max_length=120, blank=True, help_text="Plateforme ou système d'origine (option --source)."
    )
    source_format = models.CharField("format", max_length=32, blank=True)
    status = models.CharField("statut", max_length=8, choices=ImportStatus.choices, default=ImportStatus.DONE)
    dry_run = models.BooleanField("essai à blanc", default=False)
    started_at = models.DateTimeField("début", auto_now_add=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    read = models.PositiveIntegerField("lus", default=0)
    created = models.PositiveIntegerField("créés", default=0)
    updated = models.PositiveIntegerField("mis à jour", default=0)
    unchanged = models.PositiveIntegerField("inchangés", default=0)
    duplicates = models.PositiveIntegerField("doublons", default=0)
    quarantined = models.PositiveIntegerField("en quarantaine", default=0)
    warnings = models.PositiveIntegerField("avec alertes", default=0)
    report_file = models.FileField("rapport", upload_to="imports/reports/", blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "import"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import {self.source_name} ({self.started_at:%d/%m/%Y %H:%M})"


class QuarantineStatus(models.TextChoices):
    PENDING = "pending", "À traiter"
    CORRECTED = "corrected", "Corrigé et réimporté"
    IGNORED = "ignored", "Écarté (ce n'est pas un marché)"


class QuarantinedRecord(models.Model):
    """A record that cannot be a contract, kept with the reasons and its raw source: nothing is lost.
    It can be corrected and re-imported (the correction is kept beside the original)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="quarantined_records")
    position = models.PositiveIntegerField("position dans le fichier")
    reasons = models.JSONField("motifs")
    raw = models.JSONField("enregistrement source")
    status = models.CharField(
        "statut", max_length=10, choices=QuarantineStatus.choices, default=QuarantineStatus.PENDING
    )
    corrected_raw = models.JSONField("enregistrement corrigé", null=True, blank=True)
    resolution_note = models.TextField("motif de la décision", blank=True)
    resolved_at = models.DateTimeField("traité le", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="marché créé par la correction",
    )

    class Meta:
        verbose_name = "enregistrement en quarantaine"
        verbose_name_plural = "enregistrements en quarantaine"
        ordering = ["batch", "position"]

    def __str__(self) -> str:
        return f"#{self.position} : {'; '.join(self.reasons)}"
