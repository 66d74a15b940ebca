"""The upload page, the job it launches, the import history and the report downloads."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from spaser.contracts.models import Contract, ImportBatch
from spaser.core.models import Job, JobStatus
from tests.factories import build_register

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures" / "decp"
MEGALIS = FIXTURES / "megalis_decp-59920013600241-2024-07-09-01.json"
BROKEN = FIXTURES / "broken.json"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def register():
    return build_register()


def upload(client, path: Path, **data):
    file = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/json")
    return client.post("/imports/nouveau/", {"file": file, **data})


def test_pilot_uploads_a_real_decp_file_and_follows_the_job_to_its_report(client, register, media):
    client.force_login(register.pilot)
    page = client.get("/imports/nouveau/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert 'accept=".json,.xml,.csv,.parquet,.zip,.gz"' in page.content.decode()

    response = upload(client, MEGALIS, source_label="Mégalis Bretagne")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/taches/{job.pk}/"
    assert job.status == JobStatus.DONE, job.error
    assert job.created_by == register.pilot
    assert job.organisation == register.organisation
    assert job.counts == {
        "read": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
        "quarantined": 0,
        "warnings": job.counts["warnings"],
    }
    assert Contract.objects.count() == 5
    stored = Path(job.params["path"])
    assert stored.is_relative_to(media / "imports" / "uploads")
    assert stored.read_bytes() == MEGALIS.read_bytes()

    html = client.get(response["Location"]).content.decode()
    assert "Terminée" in html
    assert '<tr data-count="created"><th scope="row">Créés</th><td class="num">5</td></tr>' in html
    batch = ImportBatch.objects.get(pk=job.result["batch"])
    assert (batch.user, batch.source_label) == (register.pilot, "Mégalis Bretagne")
    assert f'href="/imports/{batch.pk}/rapport.csv"' in html

    report = client.get(f"/imports/{batch.pk}/rapport.csv")
    assert report.status_code == 200
    assert report["Content-Disposition"] == f'attachment; filename="rapport-import-{batch.pk}.csv"'
    # Reading the whole stream closes the response the way the test client expects (never response.close()
    # by hand: it fires request_finished outside the client and closes the database connection).
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "59920013600241H9O2024T0000356" in text
    assert len(text.strip().splitlines()) == 1 + 5  # a header, then one row per record read


def test_second_upload_of_the_same_file_creates_nothing(client, register):
    client.force_login(register.pilot)
    upload(client, MEGALIS)
    upload(client, MEGALIS)
    second = Job.objects.order_by("pk").last()
    assert second.status == JobStatus.DONE
    assert (second.counts["created"], second.counts["unchanged"]) == (0, 5)
    assert Contract.objects.count() == 5


def test_dry_run_stores_no_contract(client, register):
    client.force_login(register.pilot)
    upload(client, MEGALIS, dry_run="on")
    job = Job.objects.get()
    assert job.status == JobStatus.DONE, job.error
    assert job.title == "Essai à blanc du fichier « megalis_decp-59920013600241-2024-07-09-01.json »"
    assert job.counts["read"] == 5
    assert Contract.objects.count() == 0
    assert "rien n&#x27;a été enregistré" in client.get(f"/taches/{job.pk}/").content.decode()


def test_a_file_that_is_not_decp_fails_with_a_clear_message_and_changes_nothing(client, register):
    client.force_login(register.pilot)
    response = upload(client, BROKEN)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert "broken.json" in job.error
    assert Contract.objects.count() == 0
    html = client.get(response["Location"]).content.decode()
    assert "La tâche a échoué" in html
    assert "broken.json" in html


def test_a_too_large_file_is_refused_before_any_job(client, register, settings, media):
    settings.SPASER_MAX_UPLOAD_MB = 0.01  # about 10 kB; the Mégalis file weighs 12.6 kB
    client.force_login(register.pilot)
    response = upload(client, MEGALIS)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Le fichier « megalis_decp-59920013600241-2024-07-09-01.json » pèse 12,3 ko : "
        "la taille maximale acceptée en ligne est de 10,2 ko." in html
    )
    assert "SPASER_MAX_UPLOAD_MB" in html
    assert Job.objects.count() == 0
    assert not (media / "imports").exists()


def test_a_file_of_another_type_is_refused(client, register):
    client.force_login(register.pilot)
    response = client.post("/imports/nouveau/", {"file": SimpleUploadedFile("marches.docx", b"PK\x03\x04")})
    assert response.status_code == 200
    assert "« marches.docx » n&#x27;est pas d&#x27;un type accepté" in response.content.decode()
    assert Job.objects.count() == 0


@pytest.mark.parametrize("role", ["committee_member", "prescribing_referent", "resource_referent"])
def test_only_the_pilot_uploads(client, register, role):
    client.force_login(getattr(register, role))
    assert client.get("/imports/nouveau/").status_code == 403
    assert upload(client, MEGALIS).status_code == 403
    assert Job.objects.count() == 0
    assert Contract.objects.count() == 0


def test_history_lists_the_organisation_imports_with_their_links(client, register):
    client.force_login(register.pilot)
    upload(client, MEGALIS)
    batch = ImportBatch.objects.get()

    client.force_login(register.committee_member)  # every member reads the history and the reports
    html = client.get("/imports/").content.decode()
    assert f'<tr data-batch="{batch.pk}">' in html
    assert "megalis_decp-59920013600241-2024-07-09-01.json" in html
    assert f"/imports/{batch.pk}/rapport.csv" in html
    assert "Importer un fichier DECP" not in html  # the pilot's button only
    report = client.get(f"/imports/{batch.pk}/rapport.csv")
    assert report.status_code == 200
    b"".join(report.streaming_content)  # closes the response (see the test above)

    client.force_login(register.outsider)
    html = client.get("/imports/").content.decode()
    assert f'data-batch="{batch.pk}"' not in html
    assert "Aucun import pour l'instant." in html
    assert client.get(f"/imports/{batch.pk}/rapport.csv").status_code == 404


def test_history_is_paginated(client, register):
    ImportBatch.objects.bulk_create(
        ImportBatch(source_name=f"fichier-{n}.json", user=register.pilot) for n in range(30)
    )
    client.force_login(register.pilot)
    first = client.get("/imports/").content.decode()
    assert first.count("<tr data-batch=") == 25
    assert 'href="?page=2"' in first
    assert client.get("/imports/?page=2").content.decode().count("<tr data-batch=") == 5
