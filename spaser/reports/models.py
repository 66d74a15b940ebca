"""The annual report of a scheme (docs/reports.md, ADR 0009): one row per version of a year's report.

A report is generated as a **draft** from the stored indicator values of the year (its `content`, schema
`spaser-report/1`, content.py), **validated** by a decision of the COPIL that validated the year's annual
review, then **published**: its content is frozen (version, publication date, validation and erratum written
into it, with its SHA-256) and never changes again; its PDF is rendered once from that content and stored. A
mistake found later is corrected by a new version (N+1, with its erratum), itself validated and published; the
earlier versions stay readable at their own URLs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from spaser.governance.models import Decision
from spaser.schemes.models import Scheme


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    VALIDATED = "validated", "Validé"
    PUBLISHED = "published", "Publié"


UNPUBLISHED = (ReportStatus.DRAFT, ReportStatus.VALIDATED)


class AnnualReportQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ReportStatus.PUBLISHED)

    def unpublished(self):
        return self.filter(status__in=UNPUBLISHED)

    def for_year(self, year: int):
        return self.filter(year=year)

    def latest_published(self, scheme, year: int):
        """The current published version of `scheme`'s report for `year`, or None."""
        return self.published().filter(scheme=scheme, year=year).order_by("-version").first()


class AnnualReport(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="annual_reports")
    year = models.PositiveSmallIntegerField("année")
    version = models.PositiveSmallIntegerField("version", default=1)
    status = models.CharField("état", max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    content = models.JSONField("contenu (spaser-report/1)")
    content_sha256 = models.CharField("empreinte du contenu", max_length=64)
    generated_at = models.DateTimeField("généré le")
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    erratum = models.TextField("erratum", blank=True)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_reports",
        verbose_name="décision de validation",
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    published_on = models.DateField("date de publication", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Rendered once after publication, from the frozen content (services.ensure_report_pdf).
    pdf = models.BinaryField("rapport PDF", null=True, blank=True)
    pdf_sha256 = models.CharField("empreinte du PDF", max_length=64, blank=True)

    history = HistoricalRecords(excluded_fields=["content", "pdf"])
    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        verbose_name = "rapport annuel"
        verbose_name_plural = "rapports annuels"
        ordering = ["scheme", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year", "version"], name="report_unique_version"),
            models.UniqueConstraint(
                fields=["scheme", "year"],
                condition=Q(status__in=["draft", "validated"]),
                name="report_one_unpublished_per_year",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(erratum=""), name="report_correction_has_erratum"
            ),
        ]

    def __str__(self) -> str:
        return f"Rapport annuel {self.year} — version {self.version} ({self.get_status_display().lower()})"

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_validated(self) -> bool:
        return self.status == ReportStatus.VALIDATED
