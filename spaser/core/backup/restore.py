"""Restoring a backup archive: everything checked before anything changes (spaser/core/backup/__init__.py)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection

from .archive import (
    CHUNK,
    ENGINE_LABELS,
    FORMAT,
    MANIFEST,
    PG_MEMBER,
    SQLITE_MEMBER,
    BackupError,
    applied_migrations,
    count_rows,
    data_rows,
    engine,
    file_roots,
    files_under,
    known_migrations,
)
from .pg_tools import find_pg_tool, run_pg

# Counts said after a restore (model label → French label).
RESTORED_COUNTS = {
    "organisations.organisation": "organisations",
    "auth.user": "utilisateurs",
    "schemes.scheme": "SPASER",
    "contracts.contract": "marchés",
    "indicators.indicatorvalue": "valeurs d'indicateurs",
    "reports.annualreport": "rapports annuels",
}


@dataclass
class RestoreResult:
    archive: Path
    engine: str
    created_at: str
    spaser_version: str
    files: int
    files_size: int
    removed: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    dropped_tables: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)


def _read_archive(archive_path: Path, staging: Path) -> dict:
    """Extract every member into `staging`, checking it against the manifest (first member); return the
    manifest. Any disagreement is a French error naming the member."""
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            first = archive.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError(
                    f"{archive_path} n'est pas une sauvegarde Spaser : {MANIFEST} manque en tête."
                )
            if first.size > 50 * CHUNK:
                raise BackupError(f"{MANIFEST} de {archive_path} est anormalement gros.")
            try:
                manifest = json.loads(archive.extractfile(first).read())
                expected = {entry["path"]: entry for entry in manifest["files"]}
                if manifest.get("format") != FORMAT:
                    raise ValueError
            except (ValueError, KeyError, TypeError) as error:
                raise BackupError(
                    f"{MANIFEST} de {archive_path} est illisible ou n'est pas celui de Spaser."
                ) from error
            seen: set[str] = set()
            for member in archive:
                if member is first:  # iteration starts again from the first member
                    continue
                name = member.name
                entry = expected.get(name)
                if entry is None or name in seen:
                    raise BackupError(
                        f"L'archive contient « {name} », absent du manifeste : archive altérée."
                    )
                if not member.isfile() or member.size != entry["size"]:
                    raise BackupError(
                        f"« {name} » n'a pas la taille annoncée par le manifeste ({member.size} octets au "
                        f"lieu de {entry['size']}) : archive altérée."
                    )
                destination = _staged_path(staging, name)
                destination.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = archive.extractfile(member)
                with open(destination, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != entry["sha256"]:
                    raise BackupError(
                        f"« {name} » est endommagé (sha256 différent du manifeste) : rien n'a été restauré."
                    )
                seen.add(name)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        if isinstance(error, BackupError):
            raise
        raise BackupError(
            f"L'archive {archive_path} est illisible ou tronquée ({error}) : rien n'a été restauré."
        ) from error
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"« {missing[0]} » manque dans l'archive ({len(missing)} fichier(s)) : rien n'a été restauré."
        )
    return manifest


def _staged_path(staging: Path, name: str) -> Path:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"Chemin refusé dans l'archive : « {name} ».")
    return staging.joinpath(*relative.parts)


def restore_backup(archive_path: Path | str, *, force: bool = False) -> RestoreResult:
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"Archive introuvable : {archive_path}.")
    kind = engine()
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restauration-", dir=data_dir) as work:
        staging = Path(work)
        manifest = _read_archive(archive_path, staging)
        _check_compatible(manifest, archive_path, kind)
        if not force and (rows := data_rows()):
            total = sum(rows.values())
            raise BackupError(
                f"La base « {connection.settings_dict['NAME']} » contient déjà des données "
                f"({total} ligne(s), dont {_describe(rows)}) : la restauration les remplacerait. Relancez "
                "avec --force pour les écraser."
            )
        pg_restore = find_pg_tool("pg_restore") if kind == "postgresql" else None

        result = RestoreResult(
            archive=archive_path,
            engine=kind,
            created_at=manifest.get("created_at", "?"),
            spaser_version=manifest.get("spaser_version", "?"),
            files=0,
            files_size=0,
        )
        if kind == "sqlite":
            _restore_sqlite(staging / SQLITE_MEMBER)
        else:
            result.dropped_tables = _restore_postgresql(pg_restore, staging / PG_MEMBER)
        connection.close()  # fresh state for what follows (caches of the old schema)

        roots = file_roots(observatory=manifest.get("observatory", True))
        for root_name, root in roots.items():
            archived = {
                PurePosixPath(entry["path"]).relative_to(f"files/{root_name}"): entry
                for entry in manifest["files"]
                if entry["path"].startswith(f"files/{root_name}/")
            }
            for relative, path in files_under(root_name, root):
                if relative not in archived:
                    path.unlink()
                    result.removed.append(f"{root_name}/{relative}")
            for relative, entry in archived.items():
                target = root.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(_staged_path(staging, entry["path"]), target)
                result.files += 1
                result.files_size += entry["size"]

    result.counts = {
        label: count_rows(apps.get_model(model))
        for model, label in RESTORED_COUNTS.items()
        if _model_exists(model)
    }
    result.pending_migrations = sorted(known_migrations() - set(applied_migrations()))
    return result


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def _describe(rows: dict[str, int]) -> str:
    top = sorted(rows.items(), key=lambda item: -item[1])[:3]
    return ", ".join(
        f"{count} dans {apps.get_model(label)._meta.verbose_name_plural}" for label, count in top
    )


def _check_compatible(manifest: dict, archive_path: Path, kind: str) -> None:
    archived = manifest.get("database", {}).get("engine")
    if archived != kind:
        if archived == "sqlite" and kind == "postgresql":
            how = (
                " Pour passer de SQLite à PostgreSQL : restaurez l'archive dans une installation SQLite "
                "(sans DATABASE_URL), exportez avec « spaser dumpdata --natural-foreign --natural-primary "
                "-o donnees.json », puis, DATABASE_URL pointant vers PostgreSQL, « spaser migrate » et "
                "« spaser loaddata donnees.json » ; copiez enfin les dossiers media/ et observatory/ de "
                "SPASER_DATA_DIR."
            )
        else:
            how = " Restaurez-la avec le même moteur, ou passez par dumpdata/loaddata (docs/deployment.md)."
        raise BackupError(
            f"L'archive {archive_path.name} contient une base {ENGINE_LABELS.get(archived, archived)}, "
            f"la base configurée est {ENGINE_LABELS[kind]} : rien n'a été restauré.{how}"
        )
    unknown = sorted(set(manifest.get("migrations", [])) - known_migrations())
    if unknown:
        raise BackupError(
            f"L'archive vient d'une version plus récente de Spaser ({manifest.get('spaser_version', '?')}) : "
            f"migration(s) inconnue(s) de cette version, dont {unknown[0]}. Installez au moins cette "
            "version, puis restaurez."
        )


def _restore_sqlite(copy_path: Path) -> None:
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("La restauration ne peut pas se faire dans une transaction en cours.")
    source = sqlite3.connect(copy_path)
    try:
        # The live database is replaced in one step through the backup API: other connections (web server,
        # worker) see the old or the new database, never a mix, and no -wal file can outlive a swapped file.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"La restauration de la base SQLite a échoué : {error}.") from error
    finally:
        source.close()


def _restore_postgresql(pg_restore: str, dump: Path) -> list[str]:
    """`pg_restore --clean --if-exists` in one transaction; tables of migrations newer than the archive (not
    in the dump) are dropped first, so that `spaser migrate` can create them again."""
    listing = run_pg([pg_restore, "--list", str(dump)], "La lecture de la copie PostgreSQL")
    dumped = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE))
    # Only Spaser's own tables (those of its models): anything else in the database is left alone.
    extra = (
        sorted(set(connection.introspection.django_table_names(only_existing=True)) - dumped)
        if dumped
        else []
    )
    if extra:
        with connection.cursor() as cursor:
            for table in extra:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connection.close()  # pg_restore drops the tables: no session of ours may hold a lock on them
    run_pg(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        "La restauration par pg_restore",
    )
    return extra
