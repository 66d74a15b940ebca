"""What the backup and the restore share: the archive's format, the database's engine, migrations and rows,
and the files kept (spaser/core/backup/__init__.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "spaser-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/spaser.sqlite3"
PG_MEMBER = "database/spaser.pgdump"
CHUNK = 1024 * 1024
# Working files of the observatory and of downloads: never worth keeping.
SKIPPED_SUFFIXES = (".tmp", ".part", ".part.json")
OBSERVATORY_SKIPPED_DIRS = {"telechargements"}
# Rows of these models are created by `migrate` itself: a database holding only them is empty.
STRUCTURAL_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (French) says what and where."""


# -- the database ------------------------------------------------------------------------------------------


def engine() -> str:
    """« sqlite » or « postgresql » (the other engines Django knows are not supported by Spaser)."""
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Moteur de base de données non pris en charge par la sauvegarde : {vendor}.")
    return vendor


ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def known_migrations() -> set[str]:
    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def count_rows(model) -> int:
    try:
        return model._default_manager.using(connection.alias).count()
    except DatabaseError:  # table absent: a database not migrated yet
        return 0


def data_rows() -> dict[str, int]:
    """Rows per model outside what `migrate` creates: an empty dict means an empty database."""
    counts = {}
    tables = _existing_tables()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in STRUCTURAL_MODELS or not model._meta.managed or model._meta.proxy:
            continue
        if model._meta.db_table not in tables:
            continue
        if rows := count_rows(model):
            counts[model._meta.label_lower] = rows
    return counts


def _existing_tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


# -- the files ---------------------------------------------------------------------------------------------


def file_roots(*, observatory: bool = True) -> dict[str, Path]:
    """Archive folder name → folder on disk (read when called: tests point them to temporary folders)."""
    roots = {"media": Path(settings.MEDIA_ROOT)}
    if observatory:
        roots["observatory"] = Path(settings.DATA_DIR) / "observatory"
    return roots


def _kept(root_name: str, relative: PurePosixPath) -> bool:
    if any(part.startswith(".") for part in relative.parts):  # locks, ingest staging folders
        return False
    if relative.name.endswith(SKIPPED_SUFFIXES):
        return False
    return not (root_name == "observatory" and relative.parts[0] in OBSERVATORY_SKIPPED_DIRS)


def files_under(root_name: str, root: Path) -> list[tuple[PurePosixPath, Path]]:
    found = []
    if not root.is_dir():
        return found
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if path.is_file() and not path.is_symlink() and _kept(root_name, relative):
                found.append((relative, path))
    return found


def sha256_of(handle) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()
