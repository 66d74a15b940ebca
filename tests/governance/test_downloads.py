"""Downloading a meeting's pack as PDF and XLSX: the frozen bytes of a held meeting (identical after a data
change), a live preview for a planned one (its file name says « aperçu »), members only."""

import hashlib
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from spaser.governance import services
from spaser.governance.models import MeetingStatus

from .conftest import meeting, member

DAY = date(2026, 12, 10)


def _get(client, user, name, pk):
    client.force_login(user)
    return client.get(reverse(f"governance:{name}", args=[pk]))


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def held(world):
    planned = meeting(world.cotech, DAY)
    return services.hold_meeting(planned, member(world, world.pilot), world.pilot, today=DAY)


def test_held_meeting_serves_its_frozen_bytes_unchanged_after_a_data_change(client, world, held):
    pdf = _get(client, world.committee_member, "pack_pdf", held.pk)
    xlsx = _get(client, world.committee_member, "pack_xlsx", held.pk)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        'attachment; filename="dossier-cotech-2026-12-10.pdf"; '
        "filename*=UTF-8''dossier-cotech-2026-12-10.pdf"
    )
    assert pdf.content == bytes(held.pack_pdf)
    assert hashlib.sha256(pdf.content).hexdigest() == held.pack_pdf_sha256
    assert xlsx["Content-Disposition"].startswith('attachment; filename="dossier-cotech-2026-12-10.xlsx"')
    assert xlsx.content == bytes(held.pack_xlsx)
    assert hashlib.sha256(xlsx.content).hexdigest() == held.pack_xlsx_sha256
    assert "COTECH achats responsables" in _pdf_text(pdf.content)

    # The data change: a live pack would now carry the new committee name and the new action.
    world.cotech.name = "COTECH renommé après la séance"
    world.cotech.save()
    world.action.title = "Titre changé après la séance"
    world.action.save()

    again_pdf = _get(client, world.pilot, "pack_pdf", held.pk)
    again_xlsx = _get(client, world.pilot, "pack_xlsx", held.pk)
    assert again_pdf.content == pdf.content
    assert again_xlsx.content == xlsx.content
    assert "renommé" not in _pdf_text(again_pdf.content)


def test_planned_meeting_gets_a_live_preview_named_apercu(client, world):
    planned = meeting(world.cotech, DAY)
    response = _get(client, world.prescribing_referent, "pack_pdf", planned.pk)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="dossier-cotech-2026-12-10-apercu.pdf"; '
        "filename*=UTF-8''dossier-cotech-2026-12-10-aper%C3%A7u.pdf"
    )
    assert response["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = _pdf_text(response.content)
    assert "COTECH achats responsables" in text
    assert "Aperçu" in text

    # Live: the next download follows the data.
    world.cotech.name = "COTECH renommé avant la séance"
    world.cotech.save()
    assert "COTECH renommé avant la séance" in _pdf_text(
        _get(client, world.pilot, "pack_pdf", planned.pk).content
    )

    xlsx = _get(client, world.resource_referent, "pack_xlsx", planned.pk)
    assert xlsx.status_code == 200
    assert "aper%C3%A7u.xlsx" in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "Dossier"
    assert (
        dict(list(book["Dossier"].iter_rows(values_only=True))[1:])["Comité"]
        == "COTECH renommé avant la séance"
    )
    planned.refresh_from_db()
    assert planned.pack is None  # a preview freezes nothing


def test_copil_preview_renders_its_sections(client, world):
    planned = meeting(world.copil, DAY)
    response = _get(client, world.pilot, "pack_xlsx", planned.pk)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert {"Trajectoire", "Tableaux de bord", "Revue annuelle"} <= set(book.sheetnames)
    pdf = _get(client, world.pilot, "pack_pdf", planned.pk)
    assert "dossier-copil-2026-12-10-apercu.pdf" in pdf["Content-Disposition"]
    assert "Trajectoire" in _pdf_text(pdf.content)


@pytest.mark.parametrize("name", ["pack_pdf", "pack_xlsx"])
def test_outsiders_get_404_and_anonymous_users_log_in(client, world, name):
    planned = meeting(world.cotech, DAY)
    assert _get(client, world.outsider, name, planned.pk).status_code == 404
    assert _get(client, world.outsider, name, planned.pk + 1000).status_code == 404
    client.logout()
    response = client.get(reverse(f"governance:{name}", args=[planned.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_cancelled_meeting_has_no_pack_and_post_is_refused(client, world):
    cancelled = meeting(world.cotech, DAY, status=MeetingStatus.CANCELLED)
    response = _get(client, world.pilot, "pack_pdf", cancelled.pk)
    assert response.status_code == 404
    planned = meeting(world.cotech, date(2027, 1, 14))
    assert client.post(reverse("governance:pack_pdf", args=[planned.pk])).status_code == 405
