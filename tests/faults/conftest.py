"""Fixtures for the fault tests: a database that a second connection or a second process can open.

Under pytest, SQLite's test database lives in memory (one process only). `live_database` copies it (schema
and the migrations' data) to a file with SQLite's backup API and points Django's connection at that file for
the test, then back. On PostgreSQL the test database already is a server database: the test runs outside a
transaction (`transactional_db`) so that what it creates is visible to the other connection or process."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest
from django.db import connection


@pytest.fixture
def live_database(transactional_db, tmp_path):
    """Yields the DATABASE_URL of the test database, as another process would write it."""
    if connection.vendor != "sqlite":
        s = connection.settings_dict
        credentials = quote(s["USER"] or "", safe="")
        if s.get("PASSWORD"):
            credentials += ":" + quote(s["PASSWORD"], safe="")
        yield f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    path = tmp_path / "spaser.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None  # kept aside: closing it would drop the in-memory test database
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory
