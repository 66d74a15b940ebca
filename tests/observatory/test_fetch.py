"""Online refresh, offline: a real HTTP server on 127.0.0.1 (a thread) serves a recorded national-format file
(tests/fixtures/decp/megalis_…json, a real 2022-format file published by Mégalis Bretagne) and the dataset's
description, honours Range / If-Range, and can cut the connection midway, answer 503 or ignore ranges."""

from __future__ import annotations

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from spaser.observatory.fetch import DownloadError, download, year_file_url

FIXTURE = Path(__file__).parents[1] / "fixtures" / "decp" / "megalis_decp-59920013600241-2024-07-09-01.json"
CUT_AT = 5000


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        server.requests.append(
            {"path": self.path, "range": self.headers.get("Range"), "if_range": self.headers.get("If-Range")}
        )
        if self.path.startswith("/api/1/datasets/"):
            base = f"http://127.0.0.1:{server.server_port}/files"
            payload = json.dumps(
                {
                    "resources": [
                        {"title": "decp-2023.json", "url": f"{base}/decp-2023.json"},
                        {"title": "decp-2024.json", "url": f"{base}/decp-2024.json"},
                    ]
                }
            ).encode()
            return self._send(200, payload, {"Content-Type": "application/json"})
        if not self.path.startswith("/files/"):
            return self._send(404, b"introuvable", {})
        if server.unavailable:
            server.unavailable -= 1
            return self._send(503, b"indisponible", {})
        body, etag = server.body, server.etag
        start = None
        asked = self.headers.get("Range")
        if asked and not server.ignore_range and self.headers.get("If-Range") in (None, etag):
            start = int(asked.removeprefix("bytes=").rstrip("-"))
        headers = {"ETag": etag, "Accept-Ranges": "bytes", "Content-Type": "application/json"}
        if start is not None and start >= len(body):
            return self._send(416, b"", {**headers, "Content-Range": f"bytes */{len(body)}"})
        if start is not None:
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
            return self._send(206, body[start:], headers)
        return self._send(200, body, headers)

    def _send(self, status, payload, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.server.cut_after is not None and self.path.startswith("/files/") and status in (200, 206):
            # the connection dies midway: part of the body, then the socket is closed
            self.wfile.write(payload[: self.server.cut_after])
            self.wfile.flush()
            self.server.cut_after = None
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(payload)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """The socket closed on purpose midway makes the handler's last flush fail: expected, not printed."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handle_error(request, client_address)


@pytest.fixture
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.body = FIXTURE.read_bytes()
    httpd.etag = '"v1"'
    httpd.requests = []
    httpd.cut_after = None
    httpd.ignore_range = False
    httpd.unavailable = 0
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def file_requests(server):
    return [r for r in server.requests if r["path"].startswith("/files/")]


def test_a_connection_cut_midway_is_resumed_with_range(server, tmp_path):
    server.cut_after = CUT_AT
    sleeps = []
    result = download(f"{server.url}/files/decp-2024.json", tmp_path / "decp-2024.json", sleep=sleeps.append)
    assert (tmp_path / "decp-2024.json").read_bytes() == server.body
    assert result.size == len(server.body)
    assert result.attempts == 2
    assert sleeps == [2.0]
    second = file_requests(server)[1]
    assert (second["range"], second["if_range"]) == (f"bytes={CUT_AT}-", '"v1"')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["decp-2024.json"]  # no .part left


def test_an_interrupted_run_keeps_its_part_and_the_next_run_resumes(server, tmp_path):
    server.cut_after = CUT_AT
    url = f"{server.url}/files/decp-2024.json"
    with pytest.raises(DownloadError, match="relancez la même commande pour reprendre") as error:
        download(url, tmp_path / "decp-2024.json", retries=0, sleep=lambda s: None)
    assert f"{CUT_AT} octet(s) sont gardés" in str(error.value)
    assert (tmp_path / "decp-2024.json.part").stat().st_size == CUT_AT
    assert not (tmp_path / "decp-2024.json").exists()  # never a half file under the final name
    result = download(url, tmp_path / "decp-2024.json", sleep=lambda s: None)
    assert result.resumed_from == CUT_AT
    assert file_requests(server)[-1]["range"] == f"bytes={CUT_AT}-"
    assert (tmp_path / "decp-2024.json").read_bytes() == server.body


def test_a_file_republished_between_two_runs_is_downloaded_afresh(server, tmp_path):
    server.cut_after = CUT_AT
    url = f"{server.url}/files/decp-2024.json"
    with pytest.raises(DownloadError):
        download(url, tmp_path / "decp-2024.json", retries=0, sleep=lambda s: None)
    server.body = server.body.replace(b"59920013600241", b"59920013600258")  # same size, new content
    server.etag = '"v2"'
    download(url, tmp_path / "decp-2024.json", sleep=lambda s: None)
    assert (tmp_path / "decp-2024.json").read_bytes() == server.body  # not spliced from two versions


def test_a_server_without_ranges_restarts_from_zero(server, tmp_path):
    server.cut_after = CUT_AT
    server.ignore_range = True
    download(f"{server.url}/files/decp-2024.json", tmp_path / "f.json", sleep=lambda s: None)
    assert (tmp_path / "f.json").read_bytes() == server.body


def test_unavailable_server_is_retried_with_backoff(server, tmp_path):
    server.unavailable = 2
    sleeps = []
    result = download(f"{server.url}/files/decp-2024.json", tmp_path / "f.json", sleep=sleeps.append)
    assert (result.attempts, sleeps) == (3, [2.0, 4.0])


def test_offline_is_a_clear_french_error(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = []
    with pytest.raises(
        DownloadError, match=f"Impossible de joindre 127.0.0.1:{port} : vérifiez la connexion"
    ):
        download(
            f"http://127.0.0.1:{port}/decp-2024.json", tmp_path / "f.json", retries=2, sleep=sleeps.append
        )
    assert sleeps == [2.0, 4.0]


def test_missing_file_is_not_retried(server, tmp_path):
    with pytest.raises(DownloadError, match=r"refuse le téléchargement .* \(HTTP 404\)"):
        download(f"{server.url}/absent.json", tmp_path / "f.json", sleep=lambda s: None)


def test_the_year_file_is_found_in_the_dataset_description(server):
    assert year_file_url(2024, dataset_url=f"{server.url}/api/1/datasets/x/") == (
        f"{server.url}/files/decp-2024.json"
    )
    with pytest.raises(DownloadError, match=r"Pas de fichier « decp-2019\.json »"):
        year_file_url(2019, dataset_url=f"{server.url}/api/1/datasets/x/")


@pytest.mark.django_db
def test_command_downloads_the_year_then_ingests(server, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command(
        "observatory_fetch",
        "--year",
        "2024",
        "--dataset",
        f"{server.url}/api/1/datasets/x/",
        "--output",
        str(tmp_path / "dl"),
        "--ingest",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    [one] = report["downloads"]
    assert (one["size"], one["attempts"], one["resumed_from"]) == (len(server.body), 1, 0)
    assert (tmp_path / "dl" / "decp-2024.json").read_bytes() == server.body
    assert report["ingest"]  # the ingest's own report
    assert list((tmp_path / "observatory" / "contracts").glob("*.parquet"))


def test_command_error_is_french(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CommandError, match="Impossible de joindre"):
        call_command("observatory_fetch", "--dataset", f"http://127.0.0.1:{port}/", "--year", "2024")
