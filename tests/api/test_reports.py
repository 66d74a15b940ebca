"""Public annual reports: published versions only, the latest of a year, and each version's frozen
content (a correction leaves the first version readable)."""

import hashlib
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spaser.reports.models import AnnualReport, ReportStatus

pytestmark = pytest.mark.django_db


def report(world, version: int, status=ReportStatus.PUBLISHED, erratum: str = "") -> AnnualReport:
    content = {"schema": "spaser-report/1", "year": 2025, "version": version, "erratum": erratum}
    return AnnualReport.objects.create(
        scheme=world.scheme,
        year=2025,
        version=version,
        status=status,
        content=content,
        content_sha256=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
        generated_at=timezone.now(),
        erratum=erratum,
        published_at=timezone.now() if status == ReportStatus.PUBLISHED else None,
        published_on=date(2026, 3, version) if status == ReportStatus.PUBLISHED else None,
    )


@pytest.fixture
def reports(world):
    first = report(world, 1)
    second = report(world, 2, erratum="Correction de la valeur de S1.")
    draft = report(world, 3, status=ReportStatus.DRAFT, erratum="En cours.")
    return first, second, draft


def test_list_has_published_versions_only(client, world, reports):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/reports")
    assert response.status_code == 200
    rows = response.json()
    assert [(r["year"], r["version"]) for r in rows] == [(2025, 2), (2025, 1)]
    assert rows[0]["url"] == f"/api/v1/reports/{world.scheme.slug}/2025/2"
    assert rows[0]["erratum"] == "Correction de la valeur de S1."
    assert "content" not in rows[0]
    assert len(queries) == 1


def test_year_gives_the_latest_published_version(client, world, reports):
    body = client.get(f"/api/v1/reports/{world.scheme.slug}/2025").json()
    assert body["version"] == 2
    assert body["content"]["erratum"] == "Correction de la valeur de S1."
    assert body["content_sha256"] == reports[1].content_sha256


def test_first_version_stays_readable(client, world, reports):
    body = client.get(f"/api/v1/reports/{world.scheme.slug}/2025/1").json()
    assert (body["version"], body["erratum"], body["published_on"]) == (1, "", "2026-03-01")
    assert body["content"] == reports[0].content


def test_drafts_and_unknown_reports_are_404(client, world, reports):
    response = client.get(f"/api/v1/reports/{world.scheme.slug}/2025/3")
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"Aucune version 3 publiée du rapport 2025 du schéma « {world.scheme.slug} »."
    }
    assert client.get(f"/api/v1/reports/{world.scheme.slug}/2024").status_code == 404
