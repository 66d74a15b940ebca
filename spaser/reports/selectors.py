"""Reads of the annual reports for the pilot pages, the public pages, the command and the sitemap."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from spaser.schemes.models import Scheme, SchemeStatus

from .models import AnnualReport, ReportStatus

# Files of a report version: name in the URL → (format key, label, content type).
FILES = {
    "rapport.pdf": ("pdf", "Rapport (PDF accessible)", "application/pdf"),
    "donnees.csv": ("csv", "Données ouvertes (CSV, séparateur virgule)", "text/csv; charset=utf-8"),
    "donnees-excel.csv": (
        "csv-excel",
        "Données ouvertes (CSV pour Excel, point-virgule)",
        "text/csv; charset=utf-8",
    ),
    "donnees.json": ("json", "Données ouvertes (JSON)", "application/json"),
    "donnees.xlsx": (
        "xlsx",
        "Données ouvertes (Excel)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def public_schemes():
    """Schemes whose reports may be public: adopted or archived (never a draft scheme)."""
    return Scheme.objects.exclude(status=SchemeStatus.DRAFT)


def _light(queryset):
    """Reports without their PDF bytes (listings)."""
    return queryset.defer("pdf")


def published_versions(scheme: Scheme, year: int) -> list[AnnualReport]:
    """The published versions of the year, latest first (the content is loaded: a page renders one)."""
    return list(
        _light(AnnualReport.objects.published().filter(scheme=scheme, year=year)).order_by("-version")
    )


@dataclass
class PublishedYear:
    year: int
    versions: list[AnnualReport] = field(default_factory=list)  # latest first

    @property
    def latest(self) -> AnnualReport:
        return self.versions[0]


def published_years(scheme: Scheme) -> list[PublishedYear]:
    """Every year with a published report, latest year first, its versions latest first (one query)."""
    years: dict[int, PublishedYear] = {}
    reports = (
        AnnualReport.objects.published()
        .filter(scheme=scheme)
        .only("pk", "scheme_id", "year", "version", "status", "published_on", "erratum", "content_sha256")
        .order_by("-year", "-version")
    )
    for report in reports:
        years.setdefault(report.year, PublishedYear(report.year)).versions.append(report)
    return list(years.values())


def version_url(report: AnnualReport, slug: str) -> str:
    return reverse("public:report_version", args=[slug, report.year, report.version])


def file_url(slug: str, year: int, name: str, version: int | None = None) -> str:
    if version is None:
        return reverse("public:report_file", args=[slug, year, name])
    return reverse("public:report_version_file", args=[slug, year, version, name])


def downloads(slug: str, year: int, version: int | None = None) -> list[dict]:
    return [
        {"label": label, "url": file_url(slug, year, name, version), "format": key}
        for name, (key, label, _type) in FILES.items()
    ]


def publication_fingerprint(scheme: Scheme) -> str:
    """Changes when a report of `scheme` is published (the public card lists them): for the card's ETag."""
    latest = AnnualReport.objects.published().filter(scheme=scheme).order_by("-published_at").first()
    return f"{latest.pk}-{latest.published_at.isoformat()}" if latest else "-"


def public_report_urls() -> list[str]:
    """The public report pages, for the sitemap: each scheme's report list, each year's page and each
    published version's page (one query)."""
    urls: list[str] = []
    seen: set[tuple] = set()
    reports = (
        AnnualReport.objects.published()
        .filter(scheme__in=public_schemes())
        .values_list("scheme__slug", "year", "version")
        .order_by("scheme__slug", "-year", "-version")
    )
    for slug, year, version in reports:
        if (slug,) not in seen:
            seen.add((slug,))
            urls.append(reverse("public:reports", args=[slug]))
        if (slug, year) not in seen:
            seen.add((slug, year))
            urls.append(reverse("public:report", args=[slug, year]))
        urls.append(reverse("public:report_version", args=[slug, year, version]))
    return urls


@dataclass
class YearRow:
    """A year of the scheme on the pilot's list: its versions (latest first) and what may be done."""

    year: int
    reports: list[AnnualReport]

    @property
    def unpublished(self) -> AnnualReport | None:
        return next((r for r in self.reports if r.status != ReportStatus.PUBLISHED), None)

    @property
    def latest_published(self) -> AnnualReport | None:
        return next((r for r in self.reports if r.status == ReportStatus.PUBLISHED), None)


def pilot_years(scheme: Scheme, today) -> list[YearRow]:
    """Each year of the scheme up to the current one, latest first, with its reports (one query)."""
    by_year: dict[int, list[AnnualReport]] = {}
    reports = (
        AnnualReport.objects.filter(scheme=scheme)
        .defer("pdf", "content")
        .select_related("decision__meeting")
        .order_by("-year", "-version")
    )
    for report in reports:
        by_year.setdefault(report.year, []).append(report)
    years = [year for year in scheme.years if year <= today.year]
    return [YearRow(year, by_year.get(year, [])) for year in sorted(years, reverse=True)]
