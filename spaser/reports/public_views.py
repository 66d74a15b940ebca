"""Public report pages and files (no login; published versions only, drafts are 404), docs/reports.md:

- /public/<slug>/rapports/ — the years, their versions and open data;
- /public/<slug>/rapports/<year>/ — the latest published version (canonical link to its version URL);
- /public/<slug>/rapports/<year>/v<n>/ — that version (a banner « version remplacée » when superseded);
- …/rapport.pdf, donnees.csv, donnees-excel.csv, donnees.json, donnees.xlsx under both (stable URLs per year).

A published version never changes: its files are served with `ETag` = SHA-256 of the content (the PDF: of
its bytes) and `Cache-Control: public, max-age=3600`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from spaser.schemes.public_views import absolute, cache_for_visitor

from . import opendata, selectors
from .models import AnnualReport
from .services import ensure_report_pdf

NOT_PUBLISHED = "Aucun rapport publié pour cette année."
CACHE_CONTROL = "public, max-age=3600"


def _scheme(slug: str):
    return get_object_or_404(selectors.public_schemes().select_related("organisation"), slug=slug)


def _published(scheme, year: int, version: int | None = None) -> tuple[AnnualReport, list[AnnualReport]]:
    versions = selectors.published_versions(scheme, year)
    if not versions:
        raise Http404(NOT_PUBLISHED)
    if version is None:
        return versions[0], versions
    report = next((r for r in versions if r.version == version), None)
    if report is None:
        raise Http404(f"Le rapport {year} n'a pas de version {version} publiée.")
    return report, versions


def file_content(report: AnnualReport, key: str) -> bytes:
    """The bytes of one file of `report` (a published PDF: rendered once, then the stored bytes)."""
    content = report.content
    if key == "pdf":
        if report.is_published:
            return bytes(ensure_report_pdf(report).pdf)
        from .rendering import report_pdf

        return bytes(report_pdf(content))
    if key == "csv":
        return opendata.to_csv(content, separator=",")
    if key == "csv-excel":
        return opendata.to_csv(content, separator=";")
    if key == "json":
        return opendata.to_json(content)
    return opendata.to_xlsx(content)


def _etag(report: AnnualReport, key: str) -> str:
    """The SHA-256 of the PDF's bytes, or of the frozen content (with the format) for the data files."""
    if key == "pdf":
        return f'"{report.pdf_sha256}"'
    return f'"{report.content_sha256}-{key}"'


def file_response(report: AnnualReport, name: str, *, public: bool, request: HttpRequest | None = None):
    """One file of a report; `public`: a published version, cached by ETag (304 when unchanged)."""
    if name not in selectors.FILES:
        raise Http404("Fichier inconnu.")
    key, _label, content_type = selectors.FILES[name]
    data = file_content(report, key)
    etag = _etag(report, key)
    if public and request is not None and request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
        return response
    slug = report.content["scheme"]["slug"]
    stem, extension = name.rsplit(".", 1)
    suffix = f"v{report.version}" if report.is_published else "brouillon"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{slug}-rapport-{report.year}-{suffix}-{stem}.{extension}"'
    )
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        response["ETag"] = etag
        response["Cache-Control"] = CACHE_CONTROL
    else:
        response["Cache-Control"] = "private" if report.is_published else "no-store"
    return response


def _versions(scheme, versions: list[AnnualReport], current: AnnualReport) -> list[dict]:
    return [
        {
            "version": r.version,
            "published_on": r.published_on,
            "erratum": r.erratum,
            "url": selectors.version_url(r, scheme.slug),
            "current": r.pk == current.pk,
        }
        for r in versions
    ]


def _page(
    request: HttpRequest, scheme, report: AnnualReport, versions: list[AnnualReport], *, per_year: bool
):
    latest = versions[0]
    superseded = None if report.pk == latest.pk else latest
    response = render(
        request,
        "reports/public/report.html",
        {
            "content": report.content,
            "report": report,
            "scheme": scheme,
            "organisation": scheme.organisation,
            "is_demo": scheme.organisation.is_demo,
            "versions": _versions(scheme, versions, report),
            "downloads": selectors.downloads(scheme.slug, report.year, None if per_year else report.version),
            "superseded_by": (
                {
                    "version": superseded.version,
                    "url": selectors.version_url(superseded, scheme.slug),
                    "erratum": superseded.erratum,
                }
                if superseded
                else None
            ),
            "canonical_url": absolute(selectors.version_url(report, scheme.slug)),
            "preview": False,
            "breadcrumbs": [
                ("Schémas publiés", reverse("public:index")),
                (scheme.title, reverse("public:scheme", args=[scheme.slug])),
                ("Rapports annuels", reverse("public:reports", args=[scheme.slug])),
                (f"Rapport {report.year}", ""),
            ],
        },
    )
    cache_for_visitor(request, response, max_age=3600)
    response["Link"] = f'<{selectors.version_url(report, scheme.slug)}>; rel="canonical"'
    return response


@login_not_required
@require_GET
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _scheme(slug)
    years = selectors.published_years(scheme)
    response = render(
        request,
        "reports/manage/public_list.html",
        {
            "scheme": scheme,
            "organisation": scheme.organisation,
            "is_demo": scheme.organisation.is_demo,
            "canonical_url": absolute(reverse("public:reports", args=[slug])),
            "og_title": f"Rapports annuels — {scheme.title}",
            "page_description": (
                f"Rapports annuels publiés du schéma « {scheme.title} » ({scheme.organisation.name}) "
                "et leurs données ouvertes (CSV, JSON, XLSX)."
            ),
            "years": [
                {
                    "year": row.year,
                    "url": reverse("public:report", args=[slug, row.year]),
                    "latest": row.latest,
                    "versions": _versions(scheme, row.versions, row.latest),
                    "downloads": selectors.downloads(slug, row.year),
                }
                for row in years
            ],
            "breadcrumbs": [
                ("Schémas publiés", reverse("public:index")),
                (scheme.title, reverse("public:scheme", args=[slug])),
                ("Rapports annuels", ""),
            ],
        },
    )
    return cache_for_visitor(request, response, max_age=3600)


@login_not_required
@require_GET
def report_year(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    scheme = _scheme(slug)
    report, versions = _published(scheme, year)
    return _page(request, scheme, report, versions, per_year=True)


@login_not_required
@require_GET
def report_version(request: HttpRequest, slug: str, year: int, version: int) -> HttpResponse:
    scheme = _scheme(slug)
    report, versions = _published(scheme, year, version)
    return _page(request, scheme, report, versions, per_year=False)


@login_not_required
@require_GET
def report_file(request: HttpRequest, slug: str, year: int, name: str) -> HttpResponse:
    scheme = _scheme(slug)
    report, _ = _published(scheme, year)
    return file_response(report, name, public=True, request=request)


@login_not_required
@require_GET
def report_version_file(request: HttpRequest, slug: str, year: int, version: int, name: str) -> HttpResponse:
    scheme = _scheme(slug)
    report, _ = _published(scheme, year, version)
    return file_response(report, name, public=True, request=request)
