"""What a direction may type and attach: French messages naming the field, evidence files recognised from
their content (a renamed executable is refused), stored under campaigns/<campaign id>/ and downloadable by
who may see the entry, every version kept."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from spaser.campaigns import services
from spaser.campaigns.evidence import MAX_EVIDENCE_BYTES, check_evidence
from spaser.campaigns.models import EntryStatus

from .conftest import entry_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + bytes(200)
    + b"This program cannot be run in DOS mode"
)
LINUX_EXE = b"\x7fELF\x02\x01\x01" + bytes(200)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Agents formés", 42])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("bilan.pdf", PDF, "pdf"),
        ("bilan.xlsx", _xlsx(), "xlsx"),
        ("bilan.ods", ODS, "ods"),
        ("bilan.docx", DOCX, "docx"),
        ("bilan.odt", ODT, "odt"),
        ("capture.png", PNG, "png"),
        ("photo.jpg", JPEG, "jpeg"),
        ("export.csv", b"Direction;Agents\nDV;12\nDTER;7\n", "csv"),
        ("export.csv", "Direction;Réemploi\nCollèges;12,5\n".encode("cp1252"), "csv"),
        ("bilan-mal-nomme.xlsx", PDF, "pdf"),  # the content decides, not the name
    ],
)
def test_accepted_evidence_types_are_recognised_from_content(name, content, kind):
    assert check_evidence(SimpleUploadedFile(name, content)).key == kind


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rapport.pdf", WINDOWS_EXE),  # a renamed executable
        ("tableau.xlsx", LINUX_EXE),
        ("tableau.csv", WINDOWS_EXE),
        ("archive.docx", _zip({"programme.exe": WINDOWS_EXE})),  # a zip, but no Office document
        ("faux.ods", _zip({"mimetype": b"application/x-msdownload"})),
        ("notes.txt", b"Du texte sans extension CSV"),
        ("casse.xlsx", b"PK\x03\x04" + bytes(50)),  # a broken zip
    ],
)
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError) as error:
        check_evidence(SimpleUploadedFile(name, content))
    assert error.value.code == "wrong_type"
    assert f"« {name} »" in error.value.messages[0]


def test_a_file_over_ten_megabytes_is_refused(client, world, campaign):
    entry = entry_of(campaign, world.reuse)
    client.force_login(world.resource_referent)
    big = SimpleUploadedFile("bilan.pdf", PDF + bytes(MAX_EVIDENCE_BYTES))
    response = client.post(
        reverse("campaigns:entry", args=[entry.pk]), {"value": "3", "action": "save", "evidence": big}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "pèse 10 Mo" in page
    assert "ne peut dépasser 10 Mo" in page
    entry.refresh_from_db()
    assert entry.value is None
    assert not entry.evidence


def test_a_renamed_executable_is_refused_on_the_page(client, world, campaign):
    entry = entry_of(campaign, world.reuse)
    client.force_login(world.resource_referent)
    response = client.post(
        reverse("campaigns:entry", args=[entry.pk]),
        {"value": "3", "action": "submit", "evidence": SimpleUploadedFile("bilan.pdf", WINDOWS_EXE)},
    )
    page = response.content.decode()
    assert "n&#x27;est pas d&#x27;un type accepté" in page
    assert (
        'aria-describedby="id_evidence_helptext id_evidence_error"' in page
    )  # the error is tied to the field
    entry.refresh_from_db()
    assert entry.status == EntryStatus.TO_ENTER


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        ("reuse", "120", "La valeur est un pourcentage, comprise entre 0 et 100 (saisi : 120)."),
        ("reuse", "-1", "La valeur est un pourcentage, comprise entre 0 et 100 (saisi : -1)."),
        ("trained", "-3", "La valeur (nombre) ne peut pas être négative (saisi : -3)."),
        ("trained", "2,5", "La valeur est un nombre entier (saisi : 2.5)."),
        ("avoided", "-10", "La valeur (€) ne peut pas être négative (saisi : -10)."),
        ("avoided", "douze", "La valeur doit être un nombre (par exemple 12,5)."),
        ("avoided", "", "La valeur est obligatoire pour transmettre la saisie au pilote."),
    ],
)
def test_value_messages_name_the_field(client, world, campaign, indicator, value, message):
    entry = entry_of(campaign, getattr(world, indicator))
    client.force_login(world.pilot)
    response = client.post(reverse("campaigns:entry", args=[entry.pk]), {"value": value, "action": "submit"})
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert message in page
    assert 'href="#id_value"' in page  # the error summary links to the field
    entry.refresh_from_db()
    assert entry.status == EntryStatus.TO_ENTER


def test_a_draft_may_be_saved_without_a_value(world, campaign):
    entry = services.save_entry(
        entry=entry_of(campaign, world.reuse), user=world.resource_referent, comment="À compléter"
    )
    assert entry.value is None
    assert entry.comment == "À compléter"


def test_evidence_is_stored_under_the_campaign_and_every_version_stays_downloadable(client, world, campaign):
    entry = entry_of(campaign, world.trained)
    url = reverse("campaigns:entry", args=[entry.pk])
    client.force_login(world.prescribing_referent)
    client.post(
        url, {"value": "42", "action": "save", "evidence": SimpleUploadedFile("liste des agents.pdf", PDF)}
    )
    entry.refresh_from_db()
    assert entry.evidence.name.startswith(f"campaigns/{campaign.pk}/")
    assert (Path(settings.MEDIA_ROOT) / entry.evidence.name).read_bytes() == PDF
    assert entry.evidence_name == "liste des agents.pdf"
    assert entry.evidence_type == "pdf"
    first_version = entry.history.latest().history_id

    xlsx = _xlsx()
    client.post(url, {"value": "42", "action": "submit", "evidence": SimpleUploadedFile("agents.xlsx", xlsx)})
    entry.refresh_from_db()
    assert entry.evidence_type == "xlsx"

    client.force_login(world.committee_member)  # reads every entry, and its evidence
    current = client.get(reverse("campaigns:evidence", args=[entry.pk]))
    assert b"".join(current.streaming_content) == xlsx
    assert current["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="agents.xlsx"' in current["Content-Disposition"]
    old = client.get(reverse("campaigns:evidence", args=[entry.pk]), {"version": first_version})
    assert b"".join(old.streaming_content) == PDF
    assert old["Content-Type"] == "application/pdf"

    client.force_login(world.resource_referent)  # another direction
    assert client.get(reverse("campaigns:evidence", args=[entry.pk])).status_code == 403


def test_removing_the_evidence_keeps_the_file_for_the_history(world, campaign):
    entry = services.save_entry(
        entry=entry_of(campaign, world.trained), user=world.prescribing_referent, value="4",
        evidence=SimpleUploadedFile("liste.pdf", PDF),
    )  # fmt: skip
    path = Path(settings.MEDIA_ROOT) / entry.evidence.name
    entry = services.save_entry(entry=entry, user=world.prescribing_referent, value="4", remove_evidence=True)
    assert not entry.evidence
    assert path.exists()


def test_validated_value_says_whether_evidence_was_attached(world, campaign):
    entry = services.submit_entry(
        entry=entry_of(campaign, world.trained), user=world.prescribing_referent, value=Decimal("42"),
        comment="Registre des formations", evidence=SimpleUploadedFile("liste.pdf", PDF),
    )  # fmt: skip
    services.validate_entry(entry=entry, user=world.pilot)
    value = entry.indicator.values.get(scope="organisation")
    assert value.details["justificatif"] is True
    assert value.details["commentaire"] == "Registre des formations"
