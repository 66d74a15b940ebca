"""Backup and restore of a whole Spaser installation: the database and the files that matter, in one archive.

The archive (`spaser-sauvegarde-YYYYMMDD-HHMMSS.tar.gz`, docs/deployment.md « Sauvegarde et restauration »,
docs/decisions/0012-backup-archive.md) holds, in this order:
- `manifest.json` — format, Spaser version, database engine, applied migrations, date, and every other
  member with its size and sha256;
- `database/spaser.sqlite3` (SQLite: a consistent copy made through the sqlite3 online backup API, safe
  while the web server and the worker write) or `database/spaser.pgdump` (PostgreSQL: `pg_dump
  --format=custom`);
- `files/media/…` — `MEDIA_ROOT`: uploads (DECP files kept by their import batch, registers), import
  reports, campaign evidence;
- `files/observatory/…` — the observatory store (`DATA_DIR/observatory`) without its downloads
  (`telechargements/`, fetched again from data.gouv.fr) nor its working files.
Not included (rebuilt or transient): the static files (`collectstatic`), the huey queue (`huey.sqlite3`), the
DECP API pages kept for resuming (`fetch/`), the demonstration files (`demo/`), hidden, `.tmp` and `.part`
files.
Report PDFs and meeting packs are stored in the database, so they come with it.

Restore reads the whole archive into a staging folder and checks the manifest and every sha256 before it
changes anything; it refuses an archive from the other engine, one made by a newer Spaser (migrations this
code does not know) and, without `force`, a database that already holds data. Then it replaces the database
(SQLite: backup API from the archived copy into the live database, one step; PostgreSQL: `pg_restore --clean
--if-exists --single-transaction`) and the files of both folders (files absent from the archive are removed).
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import spaser

FORMAT = "spaser-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/spaser.sqlite3"
PG_MEMBER = "database/spaser.pgdump"
# PostgreSQL client programs: the server's major version first (/usr/lib/postgresql/<major>/bin), then PATH,
# then the newest installed. Tests empty both to check the French error.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
CHUNK = 1024 * 1024
# Working files of the observatory and of downloads: never worth keeping.
SKIPPED_SUFFIXES = (".tmp", ".part", ".part.json")
OBSERVATORY_SKIPPED_DIRS = {"telechargements"}
# Rows of these models are created by `migrate` itself: a database holding only them is empty.
STRUCTURAL_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Counts said after a restore (model label → French label).
RESTORED_COUNTS = {
    "organisations.organisation": "organisations",
    "auth.user": "utilisateurs",
    "schemes.scheme": "SPASER",
    "contracts.contract": "marchés",
    "indicators.indicatorvalue": "valeurs d'indicateurs",
    "reports.annualreport": "rapports annuels",
}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (French) says what and where."""


@dataclass
class BackupResult:
    path: Path
    engine: str
    size: int
    database_size: int
    files: int
    files_size: int


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


# -- the database ------------------------------------------------------------------------------------------


def engine() -> str:
    """« sqlite » or « postgresql » (the other engines Django knows are not supported by Spaser)."""
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Moteur de base de données non pris en charge par la sauvegarde : {vendor}.")
    return vendor


ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def find_pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore), or a French error saying where it was
    looked for and how to install it."""
    candidates: list[str] = []
    try:
        connection.ensure_connection()
        major = connection.pg_version // 10000
        candidates.append(os.path.join(PG_BIN_GLOB.replace("*", str(major)), name))
    except (AttributeError, DatabaseError):
        pass
    on_path = shutil.which(name, path=os.environ.get("PATH", ""))
    if on_path:
        candidates.append(on_path)

    def version_of(folder: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", folder)) or (0,)

    candidates += [
        os.path.join(folder, name) for folder in sorted(glob.glob(PG_BIN_GLOB), key=version_of)[::-1]
    ]
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(
        f"Programme « {name} » introuvable (cherché dans le PATH et dans {PG_BIN_GLOB}) : installez les "
        "outils clients de PostgreSQL de la version du serveur (paquet Debian postgresql-client-15, par "
        "exemple)."
    )


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the configured database (the test database under pytest)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ]:
        if db.get(key):
            env[variable] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    options = db.get("OPTIONS") or {}
    for option, variable in [
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
    ]:
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _run_pg(arguments: list[str], what: str) -> str:
    completed = subprocess.run(arguments, env=_pg_environment(), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise BackupError(
            f"{what} a échoué (base « {connection.settings_dict['NAME']} ») : "
            f"{' / '.join(detail[-3:]) or 'sans message'}."
        )
    return completed.stdout


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
        _run_pg([find_pg_tool("pg_dump"), "--format=custom", f"--file={target}"], "La copie par pg_dump")


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def known_migrations() -> set[str]:
    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def _count(model) -> int:
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
        if rows := _count(model):
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


def _files_under(root_name: str, root: Path) -> list[tuple[PurePosixPath, Path]]:
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


def _sha256_of(handle) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


# -- backup ------------------------------------------------------------------------------------------------


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
            sources += [(f"files/{root_name}/{rel}", path) for rel, path in _files_under(root_name, root)]
        entries = []
        for name, path in sources:
            try:
                with open(path, "rb") as handle:
                    size, digest = _sha256_of(handle)
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


# -- restore -----------------------------------------------------------------------------------------------


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
            for relative, path in _files_under(root_name, root):
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
        label: _count(apps.get_model(model))
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
    listing = _run_pg([pg_restore, "--list", str(dump)], "La lecture de la copie PostgreSQL")
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
    _run_pg(
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
