"""Register pages: the pilot uploads, maps, previews (nothing written), imports and downloads the per-row
result; other roles get a 403 and other organisations' imports a 404."""

import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from spaser.contracts.models import Contract, ImportBatch
from spaser.registers.models import ColumnMapping, RegisterUpload
from spaser.registers.services import import_register

from .conftest import BUYER, REGISTERS

CP1252 = REGISTERS / "registre_marches_cp1252.csv"


def assert_accessible_page(html: str) -> None:
    assert '<html lang="fr">' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        assert "<caption" in table
        assert 'scope="col"' in table


@pytest.fixture
def pilot(client, register):
    client.force_login(register.pilot)
    return client


def upload(client, path, kind="marches", **data):
    with path.open("rb") as handle:
        return client.post(f"/registres/importer/{kind}/", {"file": handle, **data})


def test_whole_journey_upload_mapping_preview_import_result(pilot, register, decp):
    response = upload(pilot, CP1252)
    pending = RegisterUpload.objects.get()
    assert response["Location"] == f"/registres/fichiers/{pending.pk}/correspondance/"

    html = pilot.get(response["Location"]).content.decode()
    assert_accessible_page(html)
    assert "cp1252" in html  # detected encoding
    assert "ligne 3" in html  # detected header line, below a title
    assert '<option value="N° de marché" selected>' in html  # proposed from the header synonyms
    form = {
        "sheet": "",
        "field_contract_id": "N° de marché",
        "field_buyer_siret": "SIRET acheteur",
        "field_object": "Objet",
        "field_direction": "Direction",
        "field_notification_date": "Date de notification",
        "field_duration_months": "Durée (mois)",
        "field_amount": "Montant HT",
        "field_end_date": "Date de fin",
        "field_renewal_deadline": "Date limite de reconduction",
        "field_insertion_hours_planned": "Heures d'insertion prévues",
        "field_reserved_article": "Article marché réservé",
        "field_estimated_spend": "",  # the pilot leaves the « 12 k€ » column out
        "save_as": "Registre de la DCAP",
    }
    response = pilot.post(f"/registres/fichiers/{pending.pk}/correspondance/", form)
    assert response["Location"] == f"/registres/fichiers/{pending.pk}/apercu/"
    assert ColumnMapping.objects.get(name="Registre de la DCAP").mapping["end_date"] == "Date de fin"

    html = pilot.get(response["Location"]).content.decode()
    assert_accessible_page(html)
    assert "rien n'est encore enregistré" in html
    assert "ligne 9, colonne « Date de notification » : « 31/02/2024 » n&#x27;est pas une date" in html
    assert not Contract.objects.filter(contract_id="REG-2024-004").exists()  # preview wrote nothing
    assert ImportBatch.objects.count() == 1  # the DECP import only

    response = pilot.post(f"/registres/fichiers/{pending.pk}/importer/")
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == f"/registres/imports/{batch.pk}/"
    assert Contract.objects.filter(contract_id="REG-2024-004").exists()  # no estimated spend column now
    assert not RegisterUpload.objects.exists()  # the uploaded file is not kept

    html = pilot.get(response["Location"]).content.decode()
    assert_accessible_page(html)
    assert "Télécharger le résultat ligne à ligne" in html
    download = pilot.get(f"/registres/imports/{batch.pk}/resultat.csv")
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "ligne;résultat;marché;message"

    html = pilot.get("/registres/").content.decode()
    assert_accessible_page(html)
    assert "registre_marches_cp1252.csv" in html
    assert "Registre de la DCAP" in html


def test_mapping_errors_are_shown_in_french(pilot, register):
    upload(pilot, CP1252)
    pending = RegisterUpload.objects.get()
    response = pilot.post(f"/registres/fichiers/{pending.pk}/correspondance/", {"sheet": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Indiquez la colonne du numéro de marché" in html


def test_unreadable_upload_is_refused_with_a_message(pilot, register):
    bad = SimpleUploadedFile("registre.csv", b"\x00\x01binaire\x00" * 20)
    response = pilot.post("/registres/importer/marches/", {"file": bad})
    assert response.status_code == 200
    assert "contenu binaire" in response.content.decode()
    assert not RegisterUpload.objects.exists()
    pdf = SimpleUploadedFile("registre.pdf", b"%PDF-1.7")
    assert (
        "ni un classeur .xlsx ni un fichier .csv"
        in pilot.post("/registres/importer/marches/", {"file": pdf}).content.decode()
    )


def test_workbook_sheet_choice(pilot, register, decp, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Lisez-moi"
    workbook.active.append(["Ce classeur contient le registre", "dans la feuille suivante"])
    sheet = workbook.create_sheet("Registre")
    sheet.append(["Numéro marché", "Date de fin"])
    sheet.append(["H9O2024T0000356", "31/01/2025"])
    path = tmp_path / "registre.xlsx"
    workbook.save(path)
    upload(pilot, path)
    pending = RegisterUpload.objects.get()
    html = pilot.get(f"/registres/fichiers/{pending.pk}/correspondance/?feuille=Registre").content.decode()
    assert '<option value="Registre" selected>' in html
    pilot.post(
        f"/registres/fichiers/{pending.pk}/correspondance/",
        {"sheet": "Registre", "field_contract_id": "Numéro marché", "field_end_date": "Date de fin"},
    )
    pilot.post(f"/registres/fichiers/{pending.pk}/importer/")
    assert str(Contract.objects.get(uid=f"{BUYER}H9O2024T0000356").end_date) == "2025-01-31"


@pytest.mark.parametrize("role", ["prescribing_referent", "resource_referent", "committee_member"])
def test_other_roles_get_403(client, register, role):
    client.force_login(getattr(register, role))
    assert client.get("/registres/").status_code == 403
    assert client.get("/registres/importer/marches/").status_code == 403


def test_other_organisations_imports_are_404(client, register, decp):
    result = import_register(path=CP1252, organisation=register.organisation)
    client.force_login(register.outsider)
    assert client.get("/registres/").status_code == 200
    assert client.get(f"/registres/imports/{result.batch}/").status_code == 404
    assert client.get(f"/registres/imports/{result.batch}/resultat.csv").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/registres/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "connexion" in response["Location"]


def test_abandoned_uploads_are_deleted_after_a_day(pilot, register):
    from datetime import timedelta

    from django.utils import timezone

    upload(pilot, CP1252)
    abandoned = RegisterUpload.objects.get()
    stored = abandoned.file.path
    RegisterUpload.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(days=2))
    upload(pilot, REGISTERS / "registre_marches_bom.csv")
    remaining = list(RegisterUpload.objects.values_list("original_name", flat=True))
    assert remaining == ["registre_marches_bom.csv"]
    assert not Path(stored).exists()
