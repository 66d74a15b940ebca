"""A locked, slow or unreachable database gives a clear French 503 (page or API JSON), never a 500.

Real databases: on SQLite, another connection holds the write lock of the database file (BEGIN IMMEDIATE)
while a request writes, with a short busy timeout; on PostgreSQL, another connection holds an ACCESS
EXCLUSIVE lock on a table the request reads, with a short statement_timeout. Unreachable: the connection's
settings point where no database is."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager
from html import unescape

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.test import Client

from spaser.api import services as token_services
from spaser.core.jobs import JobOutcome, job_task
from spaser.core.models import Job, JobStatus
from tests.factories import build_register

MIDDLEWARE = "spaser.core.db_errors.DatabaseUnavailableMiddleware"
UNAVAILABLE = "La base de données est momentanément indisponible"


@job_task("test-faults")
def harmless_task(job, progress):
    return JobOutcome(message="Fait")


@pytest.fixture(autouse=True)
def _middleware(settings):
    """The middleware where docs/deployment.md says (until settings.py lists it: then as it stands)."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        position = middleware.index("spaser.core.middleware.SecurityHeadersMiddleware") + 1
        middleware.insert(position, MIDDLEWARE)
        settings.MIDDLEWARE = middleware


@pytest.fixture
def world(live_database):
    register = build_register()
    job = Job.objects.create(
        kind="test-faults", title="Import du fichier « a.json »", status=JobStatus.FAILED, error="Erreur",
        organisation=register.organisation, created_by=register.pilot,
    )  # fmt: skip
    raw = token_services.create_token(user=register.pilot, name="Pannes", days=30).secret
    return register, job, raw


@contextmanager
def database_held(table: str):
    """Another connection holds the database (SQLite: its write lock) or `table` (PostgreSQL) until the end;
    the request's connection waits at most ~0.3 s."""
    if connection.vendor == "sqlite":
        options = connection.settings_dict["OPTIONS"]
        previous = options.get("timeout")
        options["timeout"] = 0.3
        connection.close()  # reopened with the short busy timeout
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            options["timeout"] = previous
            connection.close()
        return
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 300")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def test_a_locked_database_gives_a_french_503_page_not_a_traceback(world, caplog):
    register, job, _raw = world
    client = Client()
    client.force_login(register.pilot)
    with database_held("core_job"), caplog.at_level(logging.ERROR, logger="spaser.core.db_errors"):
        response = client.post(f"/taches/{job.pk}/relancer/")  # reads, then writes a Job
    assert response.status_code == 503
    html = response.content.decode()
    assert f"<h1>{UNAVAILABLE}</h1>" in html
    assert "Réessayez dans 30 secondes" in html
    assert "Traceback" not in html
    assert "<script" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert 'href="/static/spaser/spaser.css"' in html
    assert response["Retry-After"] == "30"
    assert response["Content-Security-Policy"]  # the security headers still apply
    [record] = [r for r in caplog.records if r.name == "spaser.core.db_errors"]
    assert f"POST /taches/{job.pk}/relancer/" in record.getMessage()
    assert record.exc_info is not None
    # Once the database is free again, the same request goes through.
    assert client.post(f"/taches/{job.pk}/relancer/").status_code == 302


def test_a_locked_database_gives_the_api_a_french_json_503(world):
    _register, _job, raw = world
    # A token's first use records when it was used: a write on SQLite; on PostgreSQL the token table is held.
    with database_held("api_apitoken"):
        response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail.startswith(UNAVAILABLE)
    assert "Réessayez" in detail


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="statement_timeout: PostgreSQL",
)
def test_a_slow_query_cancelled_by_statement_timeout_says_so(world):
    register, job, _raw = world
    client = Client()
    client.force_login(register.pilot)
    with database_held("core_job"):
        response = client.get(f"/taches/{job.pk}/")
    assert response.status_code == 503
    assert "a pris trop de temps" in unescape(response.content.decode())


def test_an_unreachable_database_gives_a_503_even_before_the_view(live_database):
    register = build_register()
    client = Client(raise_request_exception=False)
    client.force_login(register.pilot)
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent/spaser/spaser.sqlite3"
    else:
        settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    try:
        # The session and the user are read by middlewares, before any view: caught on the way out.
        response = client.get("/taches/")
    finally:
        connection.close()
        settings_dict.update(saved)
    assert response.status_code == 503
    html = unescape(response.content.decode())
    assert f"<h1>{UNAVAILABLE}</h1>" in html
    assert "n'a pas pu joindre sa base de données" in html
    assert client.get("/taches/").status_code == 200
