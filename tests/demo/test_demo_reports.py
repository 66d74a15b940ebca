"""Issue 7's « done when », on the demo: the pilot publishes the 2025 report (the draft the demo prepared,
validated with the June COPIL's decision); the public page, the PDF and the CSV show the same figures as the
dashboard; a second version with an erratum leaves the first readable."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from spaser.demo.users import DEMO_PASSWORD
from spaser.governance.models import Decision
from spaser.reports.models import AnnualReport, ReportStatus

HEADLINE = ("S1", "S2", "E1", "E2", "C1")


@pytest.fixture
def demo(demo_output):
    # Loaded once for the package (conftest.py), the PDFs queued at commit rendered by huey (immediate).
    return demo_output


def plain(text: str) -> str:
    """Spaces as a reader sees them: narrow and non-breaking spaces are spaces, runs collapse."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def shown(value: str) -> str:
    """A rate as every page of Spaser writes it: one decimal, decimal comma, « % »."""
    return f"{Decimal(value):.1f}".replace(".", ",") + " %"


def test_the_pilot_publishes_the_2025_report_and_corrects_it(
    demo, client, django_capture_on_commit_callbacks
):
    assert "Rapport annuel : rapport annuel 2025 en brouillon" in demo
    draft = AnnualReport.objects.get(year=2025)
    assert draft.status == ReportStatus.DRAFT
    decision = Decision.objects.get(text__startswith="Le COPIL valide la revue annuelle 2025")

    client.login(username="pilote", password=DEMO_PASSWORD)
    assert "2025" in client.get("/rapports/").content.decode()
    response = client.post("/rapports/2025/generer/")  # regenerated from the values of today
    assert response.status_code == 302
    assert (
        client.post(f"/rapports/versions/{draft.pk}/valider/", {"decision": decision.pk}).status_code == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/rapports/versions/{draft.pk}/publier/").status_code == 302
    first = AnnualReport.objects.get(pk=draft.pk)
    assert (first.status, first.version) == (ReportStatus.PUBLISHED, 1)
    assert first.content["validation"]["decision"].startswith("Le COPIL valide la revue annuelle 2025")

    # The dashboard's figures of 2025 (the committee member's view).
    member = Client()
    member.login(username="comite", password=DEMO_PASSWORD)
    dashboard = plain(member.get("/tableau-de-bord/?annee=2025").content.decode())
    values = {
        row["code"]: row
        for axis in first.content["axes"]
        for commitment in axis["commitments"]
        for row in commitment["indicators"]
    }
    slug = first.content["scheme"]["slug"]
    public = Client()  # anonymous
    page = plain(public.get(f"/public/{slug}/rapports/2025/").content.decode())
    pdf = public.get(f"/public/{slug}/rapports/2025/rapport.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    pdf_text = plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    rows = {
        row["code"]: row
        for row in csv.DictReader(
            io.StringIO(public.get(f"/public/{slug}/rapports/2025/donnees.csv").content.decode())
        )
    }
    for code in HEADLINE:
        figure = shown(values[code]["value"])
        card = dashboard[dashboard.index(f'data-code="{code}"') :]
        assert figure in card[: card.index("</li>")], code  # the dashboard
        assert figure in page, code  # the public page
        assert figure in pdf_text, code  # the PDF
        assert shown(rows[code]["value"]) == figure, code  # the open data
        assert rows[code]["report_version"] == "1"

    # A correction: version 2 with its erratum; version 1 stays readable, marked as replaced.
    erratum = "Le taux E2 de la version 1 omettait deux marchés de travaux publiés en retard."
    response = client.post(f"/rapports/versions/{first.pk}/corriger/", {"erratum": erratum})
    second = AnnualReport.objects.get(year=2025, version=2)
    assert response.status_code == 302
    client.post(f"/rapports/versions/{second.pk}/valider/", {"decision": decision.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/rapports/versions/{second.pk}/publier/")
    second.refresh_from_db()
    assert second.status == ReportStatus.PUBLISHED
    latest = plain(public.get(f"/public/{slug}/rapports/2025/").content.decode())
    assert erratum in latest
    old = public.get(f"/public/{slug}/rapports/2025/v1/")
    assert old.status_code == 200
    old_page = plain(old.content.decode())
    assert re.search(r"[Vv]ersion remplacée", old_page)
    assert f"/public/{slug}/rapports/2025/v2/" in old_page
    assert public.get(f"/public/{slug}/rapports/2025/v1/rapport.pdf").content == pdf.content  # v1 unchanged
