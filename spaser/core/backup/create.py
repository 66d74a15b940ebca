"""Writing the backup archive (spaser/core/backup/__init__.py)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import connection
from django.utils import timezone

import spaser

from .archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PG_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    applied_migrations,
    engine,
    file_roots,
    files_under,
    sha256_of,
)
from .pg_tools import find_pg_tool, run_pg


@dataclass
class BackupResult:
    path: Path
    engine: str
    size: int
    database_size: int
    files: int
    files_size: int


def _dump_database(target: Path) -> None:
    if engine() == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # pages=-1: the whole database in one step, under one read lock — a consistent snapshot even while
            # the web server and the worker write (WAL).
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
    else:
        run_pg([find_pg_tool("pg_dump"), "--format=custom", f"--file={target}"], "La copie par pg_dump")


def default_name(moment: datetime | None = None) -> str:
    moment = timezone.localtime(moment or timezone.now())
    return f"spaser-sauvegarde-{moment:%Y%m%d-%H%M%S}.tar.gz"


def create_backup(output: Path | str | None = None, *, observatory: bool = True) -> BackupResult:
    """Write the archive to `output` (a file, or a folder where a dated name is made; the current folder by
    default) and return what it holds. The archive appears only complete (written beside, then renamed)."""
    kind = engine()
    if kind == "postgresql":
        find_pg_tool("pg_dump")  # before anything is written
    now = timezone.now()
    target = Path(output) if output else Path.cwd()
    if target.is_dir():
        target = target / default_name(now)
    if target.exists():
        raise BackupError(f"Le fichier {target} existe déjà : choisissez un autre nom (--output).")
    if not target.parent.is_dir():
        raise BackupError(f"Le dossier {target.parent} n'existe pas.")

    with tempfile.TemporaryDirectory(prefix="spaser-sauvegarde-") as work:
        dump = Path(work) / ("spaser.sqlite3" if kind == "sqlite" else "spaser.pgdump")
        migrations = applied_migrations()
        _dump_database(dump)
        # Hashed first (the manifest leads the archive), then read again into the archive through a hashing
        # reader: a file changed in between (an ingest replacing the observatory) is an error, never an
        # archive that disagrees with its manifest.
        sources = [(SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER, dump)]
        for root_name, root in file_roots(observatory=observatory).items():
            sources += [(f"files/{root_name}/{rel}", path) for rel, path in files_under(root_name, root)]
        entries = []
        for name, path in sources:
            try:
                with open(path, "rb") as handle:
                    size, digest = sha256_of(handle)
            except FileNotFoundError:  # removed since the walk (a temporary file)
                continue
            entries.append({"path": name, "size": size, "sha256": digest, "source": path})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "spaser_version": spaser.__version__,
            "created_at": timezone.localtime(now).isoformat(timespec="seconds"),
            "database": {"engine": kind, "name": str(connection.settings_dict["NAME"])},
            "migrations": migrations,
            "observatory": observatory,
            "files": [{key: entry[key] for key in ("path", "size", "sha256")} for entry in entries],
        }
        partial = target.with_name(f".{target.name}.partiel")
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                _add(archive, MANIFEST, io.BytesIO(body), len(body), now)
                for entry in entries:
                    _add_file(archive, entry, now)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    database_size = entries[0]["size"]
    return BackupResult(
        path=target,
        engine=kind,
        size=target.stat().st_size,
        database_size=database_size,
        files=len(entries) - 1,
        files_size=sum(entry["size"] for entry in entries[1:]),
    )


class _HashingReader:
    def __init__(self, handle):
        self._handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self.digest.update(chunk)
        return chunk


def _add(archive: tarfile.TarFile, name: str, handle, size: int, moment: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(moment.timestamp()), 0o600
    archive.addfile(info, handle)


def _add_file(archive: tarfile.TarFile, entry: dict, moment: datetime) -> None:
    changed = BackupError(f"Le fichier {entry['source']} a changé pendant la sauvegarde : relancez-la.")
    try:
        with open(entry["source"], "rb") as handle:
            if os.fstat(handle.fileno()).st_size != entry["size"]:
                raise changed
            reader = _HashingReader(handle)
            _add(archive, entry["path"], reader, entry["size"], moment)
    except FileNotFoundError as error:
        raise changed from error
    except OSError as error:  # tarfile: the file shrank while being read
        raise changed from error
    if reader.digest.hexdigest() != entry["sha256"]:
        raise changed
