"""Uploads above SPASER_MAX_UPLOAD_MB: refused from the request's headers (413) before the body is read, and
by the first upload handler on the bytes really received (spaser/core/upload_limits.py)."""

import io
import json
import socket
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory

from spaser.contracts.models import Contract, ImportBatch
from spaser.core.models import Job
from spaser.core.upload_limits import FORM_MARGIN, RefusedUpload, file_limit, request_limit
from spaser.registers.models import RegisterUpload
from tests.factories import build_register

FIXTURES = Path(__file__).parent.parent / "fixtures"
MEGALIS = FIXTURES / "decp" / "megalis_decp-59920013600241-2024-07-09-01.json"  # 12.6 kB
LIMIT_MB = 0.01  # 10 485 bytes: the Mégalis file is over it, 1 MiB of margin for the other fields


@pytest.fixture
def small_limit(settings):
    settings.SPASER_MAX_UPLOAD_MB = LIMIT_MB
    return file_limit()


@pytest.fixture
def pilot(client, db):
    world = build_register()
    client.force_login(world.pilot)
    return client


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def assert_nothing_stored(settings) -> None:
    assert Job.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert Contract.objects.count() == 0
    assert RegisterUpload.objects.count() == 0
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


# --- The middleware: Content-Length above the limit ------------------------------------------------------


def test_a_decp_upload_just_over_the_limit_is_a_french_413_nothing_stored(pilot, small_limit, settings):
    body = b"[" + b" " * (request_limit() - 100) + b"]"  # the file alone is within the margin…
    file = SimpleUploadedFile("gros.json", body, content_type="application/json")
    response = pilot.post("/imports/nouveau/", {"file": file, "source_label": "Mégalis"})  # …not the request

    assert response.status_code == 413
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<h1>Fichier trop volumineux</h1>" in html
    assert "la taille maximale acceptée en ligne est de 0,01 Mo" in html
    assert "spaser import_decp" in html
    assert ".zip ou .gz" in html
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert_nothing_stored(settings)


def test_a_decp_upload_just_under_the_limit_is_imported(pilot, settings):
    settings.SPASER_MAX_UPLOAD_MB = 0.0125  # 13 107 bytes: the 12 576-byte Mégalis file fits
    assert MEGALIS.stat().st_size < file_limit()
    with MEGALIS.open("rb") as handle:
        response = pilot.post("/imports/nouveau/", {"file": handle})
    assert response.status_code == 302
    assert Contract.objects.count() == 5


def test_a_register_upload_over_the_limit_gets_the_413(pilot, small_limit, settings):
    csv = b"numero;objet\n" + b"M-0001;Travaux\n" * (request_limit() // 15)
    response = pilot.post("/registres/importer/marches/", {"file": SimpleUploadedFile("registre.csv", csv)})
    assert response.status_code == 413
    assert "« spaser import_register »" in response.content.decode()
    assert_nothing_stored(settings)


def test_the_api_answers_a_french_json_413(client, small_limit):
    response = client.post(
        "/api/v1/marches/", b"x" * (request_limit() + 1), content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    detail = json.loads(response.content)["detail"]
    assert detail.startswith("L'envoi pèse 1,01 Mo : la taille maximale acceptée en ligne est de 0,01 Mo")


@pytest.mark.parametrize("length", ["douze", "-5", "1e9"])
def test_a_malformed_content_length_is_a_french_400(client, length):
    response = client.generic("POST", "/imports/nouveau/", b"abc", CONTENT_LENGTH=length)
    assert response.status_code == 400
    assert "n&#x27;est pas un nombre d&#x27;octets valide" in response.content.decode()
    api = client.generic("POST", "/api/v1/marches/", b"abc", CONTENT_LENGTH=length)
    assert api.status_code == 400
    assert "Content-Length" in json.loads(api.content)["detail"]


def test_the_server_answers_413_without_waiting_for_the_body(live_server):
    """A real socket announces 300 MiB, sends 4 kB: the status line comes back at once."""
    host, port = live_server.thread.host, live_server.thread.port
    head = (
        "POST /imports/nouveau/ HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Content-Type: multipart/form-data; boundary=limite\r\n"
        f"Content-Length: {300 * 1024 * 1024}\r\n"
        "\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(head + b"--limite\r\n" + b"x" * 4096)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(65536)  # socket.timeout (the test fails) if the server waits for the body
            if not chunk:
                break
            received += chunk
    elapsed = time.monotonic() - started
    assert received.startswith(b"HTTP/1.1 413 "), received[:200]
    assert elapsed < 5
    print(f"413 after {elapsed * 1000:.0f} ms with 4 kB of 300 MiB sent")


# --- The upload handler: bytes really received -----------------------------------------------------------


def test_a_file_over_the_limit_within_the_margin_is_refused_by_the_form(pilot, small_limit, settings):
    csv = b"numero;objet\n" + b"M-0001;Travaux\n" * 1000  # 15 kB: over 10 kB, within the 1 MiB margin
    response = pilot.post("/registres/importer/marches/", {"file": SimpleUploadedFile("registre.csv", csv)})
    assert response.status_code == 200
    assert "« registre.csv » pèse plus de 10,2 ko" in response.content.decode()
    assert_nothing_stored(settings)


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    body = b""
    for field, filename, content in parts:
        disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--limite\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return body + b"--limite--\r\n"


def parse(body: bytes, *, content_length: int):
    """Parse a body the way Django does, on a stream that is not cut at Content-Length (a lying header)."""
    content_type = "multipart/form-data; boundary=limite"
    request = RequestFactory().post("/imports/nouveau/", body, content_type=content_type)
    meta = {**request.META, "CONTENT_LENGTH": str(content_length)}
    post, files = MultiPartParser(meta, io.BytesIO(body), request.upload_handlers).parse()
    return request, post, files


def test_the_handler_keeps_the_true_size_and_none_of_the_content(small_limit, settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # the default handlers write to a temporary file…
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)  # …here
    content = b"a" * (small_limit + 70_000)  # two chunks of 64 kB beyond the limit
    body = multipart(
        ("source_label", None, b"Megalis"), ("file", "gros.json", content), ("dry_run", None, b"on")
    )
    _request, post, files = parse(body, content_length=len(body))

    upload = files["file"]
    assert isinstance(upload, RefusedUpload)
    assert (upload.name, upload.size, upload.read()) == ("gros.json", len(content), b"")
    assert (post["source_label"], post["dry_run"]) == ("Megalis", "on")  # the fields after it still arrive
    # What the temporary-file handler had stored before the limit is deleted at once, not at the end.
    assert list(tmp_path.iterdir()) == []
    # A file under the limit in the same request goes through the default handlers untouched.
    small = multipart(("file", "petit.json", b"[]"))
    _, _, files = parse(small, content_length=len(small))
    assert files["file"].read() == b"[]"
    assert not isinstance(files["file"], RefusedUpload)


def test_the_handler_stops_an_upload_whose_header_lies(small_limit):
    content = b"a" * (small_limit + FORM_MARGIN + 1)
    body = multipart(("file", "menteur.json", content), ("source_label", None, b"x"))
    request, post, files = parse(body, content_length=1000)  # announced 1 000 bytes, sent over 1 MiB
    assert "file" not in files
    assert "source_label" not in post  # parsing stopped: nothing after the file was read
    assert request._spaser_upload_stopped == "menteur.json"


def test_a_stopped_upload_never_reaches_the_view(pilot, small_limit, settings, monkeypatch):
    """The middleware parses the body before the view: an upload the handler stopped is a 413."""
    monkeypatch.setattr("spaser.core.upload_limits.FORM_MARGIN", 0)  # the handler stops where the file ends
    content = b"[" + b" " * (small_limit + 10) + b"]"
    monkeypatch.setattr("spaser.core.upload_limits.request_limit", lambda: 10 * 1024 * 1024)
    response = pilot.post("/imports/nouveau/", {"file": SimpleUploadedFile("gros.json", content)})
    assert response.status_code == 413
    assert "Le fichier « gros.json » est trop volumineux" in response.content.decode()
    assert_nothing_stored(settings)
