"""Public report pages and files: published data only (drafts 404), stable URLs per year and per version,
« version remplacée » banner, immutable files (ETag, Cache-Control), the sitemap's URL list."""

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spaser.reports import services
from spaser.reports.selectors import public_report_urls
from spaser.schemes.models import SchemeStatus
from tests.reports.conftest import TODAY, YEAR, store

pytestmark = pytest.mark.django_db


def publish(world, report, day):
    report = services.report_validate(report=report, decision=world.decision, user=world.pilot)
    return services.report_publish(report=report, user=world.pilot, today=day)


@pytest.fixture
def v1(world, django_capture_on_commit_callbacks):
    report = services.report_generate(scheme=world.scheme, year=YEAR, user=world.pilot, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        return publish(world, report, date(2026, 3, 1))


def url(name, world, *args):
    return reverse(f"public:{name}", args=[world.scheme.slug, *args])


def test_drafts_are_never_public(client, world):
    services.report_generate(scheme=world.scheme, year=YEAR, user=world.pilot, today=TODAY)
    assert client.get(url("report", world, YEAR)).status_code == 404
    assert client.get(url("report_version", world, YEAR, 1)).status_code == 404
    assert client.get(url("report_file", world, YEAR, "donnees.csv")).status_code == 404
    assert "Aucun rapport annuel" in client.get(url("reports", world)).content.decode()
    assert public_report_urls() == []


def test_published_report_is_public_with_stable_urls(client, world, v1):
    page = client.get(url("report", world, YEAR))
    assert page.status_code == 200
    assert page["Cache-Control"] == "public, max-age=3600"
    assert url("report_version", world, YEAR, 1) in page["Link"]
    assert "Synthèse" in page.content.decode()
    assert client.get(url("report_version", world, YEAR, 1)).status_code == 200
    assert client.get(url("report_version", world, YEAR, 2)).status_code == 404
    listing = client.get(url("reports", world)).content.decode()
    assert "Rapport 2025" in listing
    assert url("report_file", world, YEAR, "donnees.xlsx") in listing
    assert public_report_urls() == [
        url("reports", world),
        url("report", world, YEAR),
        url("report_version", world, YEAR, 1),
    ]
    # A draft scheme publishes nothing.
    world.scheme.status = SchemeStatus.DRAFT
    world.scheme.save()
    assert client.get(url("report", world, YEAR)).status_code == 404


def test_files_are_immutable_with_etags(client, world, v1):
    store(world.s1, YEAR, "29", numerator="29", denominator="100")  # later data change nothing
    csv_response = client.get(url("report_file", world, YEAR, "donnees.csv"))
    assert csv_response["ETag"] == f'"{v1.content_sha256}-csv"'
    assert csv_response["Cache-Control"] == "public, max-age=3600"
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    assert rows[0]["value"] == "18"
    again = client.get(
        url("report_file", world, YEAR, "donnees.csv"), HTTP_IF_NONE_MATCH=csv_response["ETag"]
    )
    assert again.status_code == 304
    excel = client.get(url("report_version_file", world, YEAR, 1, "donnees-excel.csv"))
    assert excel.content.startswith(b"\xef\xbb\xbf")
    assert b";" in excel.content
    document = json.loads(client.get(url("report_file", world, YEAR, "donnees.json")).content)
    assert document["report"]["version"] == 1
    pdf = client.get(url("report_version_file", world, YEAR, 1, "rapport.pdf"))
    v1.refresh_from_db()
    assert pdf.content == bytes(v1.pdf)
    assert pdf["ETag"] == f'"{v1.pdf_sha256}"'
    assert client.get(url("report_file", world, YEAR, "autre.txt")).status_code == 404
    xlsx = client.get(url("report_file", world, YEAR, "donnees.xlsx"))
    assert xlsx.content.startswith(b"PK")


def test_correction_supersedes_and_v1_stays_served(client, world, v1, django_capture_on_commit_callbacks):
    v1_csv = client.get(url("report_version_file", world, YEAR, 1, "donnees.csv")).content
    store(world.s1, YEAR, "19", numerator="19", denominator="100")
    v2 = services.report_correct(report=v1, erratum="S1 : 19 % et non 18 %.", user=world.pilot)
    assert client.get(url("report_version", world, YEAR, 2)).status_code == 404  # not published yet
    with django_capture_on_commit_callbacks(execute=True):
        publish(world, v2, date(2026, 4, 1))
    page = client.get(url("report_version", world, YEAR, 1)).content.decode()
    assert "version remplacée" in page.lower()
    assert url("report_version", world, YEAR, 2) in page
    assert "S1 : 19 % et non 18 %." in page
    latest = client.get(url("report", world, YEAR))
    assert url("report_version", world, YEAR, 2) in latest["Link"]
    assert client.get(url("report_version_file", world, YEAR, 1, "donnees.csv")).content == v1_csv
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(url("report_file", world, YEAR, "donnees.csv")).content.decode())
        )
    )
    assert rows[0]["value"] == "19"
    assert rows[0]["report_version"] == "2"


def test_public_page_queries_are_bounded(client, world, v1):
    for target in (url("reports", world), url("report", world, YEAR)):
        client.get(target)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(target).status_code == 200
        assert len(queries) <= 6, target
