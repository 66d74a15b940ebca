"""The demo, loaded once for every test of tests/demo (CI time: `load_demo` takes minutes on PostgreSQL).

`demo_loaded` (package scope) runs `load_demo` once, in the test database, inside a transaction that is never
committed — what Django's `TestCase.setUpTestData` does for a class: each test then runs in its own
transaction nested in it (a savepoint, the `db` fixture), rolled back after the test, so every test starts
from the freshly loaded demo; and the outer transaction is rolled back after the last test of the package,
so the other packages see the empty database they expect (nothing flushed: the data the migrations insert
stays untouched).

The held meetings' PDF and XLSX are queued when their transaction commits (the worker renders them; huey
runs immediately under pytest): those callbacks run as a real commit would (`captureOnCommitCallbacks`).

Files: the demo writes its generated files in DATA_DIR/demo and import reports in MEDIA_ROOT. They are
written once in a folder of the package; `demo_output` gives each test its own copy of both (DATA_DIR and
MEDIA_ROOT pointed there), so a test that writes files (loads the demo again, imports) leaves the others'
folders as they were.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test import TestCase, override_settings

from spaser.organisations.models import Organisation

DEMO_SIREN = "229300082"


@dataclass(frozen=True)
class LoadedDemo:
    output: str  # what `load_demo` printed
    data_dir: Path
    media_root: Path


@pytest.fixture(scope="package")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-package")
    data_dir, media_root = folder / "data", folder / "media"
    data_dir.mkdir()
    out = StringIO()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with (
                override_settings(DATA_DIR=data_dir, MEDIA_ROOT=media_root),
                TestCase.captureOnCommitCallbacks(execute=True),
            ):
                call_command("load_demo", stdout=out, stderr=StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield LoadedDemo(output=out.getvalue(), data_dir=data_dir, media_root=media_root)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            assert not connections["default"].in_atomic_block  # every test's savepoint was released
            # The other packages find the database as the migrations left it.
            assert not Organisation.objects.filter(siren=DEMO_SIREN).exists()


@pytest.fixture
def demo_output(demo_loaded, db, settings, tmp_path) -> str:
    """The demo as `load_demo` left it (rolled back after the test); the test's own copy of its files in
    DATA_DIR and MEDIA_ROOT. Returns what `load_demo` printed."""
    data_dir = tmp_path / "data"
    shutil.copytree(demo_loaded.data_dir, data_dir)
    settings.DATA_DIR = data_dir
    if demo_loaded.media_root.exists():
        shutil.copytree(demo_loaded.media_root, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return demo_loaded.output
