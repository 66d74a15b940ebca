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

The code: `archive.py` (the format, the database and file facts both sides read), `create.py` (the backup),
`restore.py` (the restore), `pg_tools.py` (finding and running PostgreSQL's client programs).
"""

from .archive import ENGINE_LABELS, PG_MEMBER, SQLITE_MEMBER, BackupError
from .create import BackupResult, create_backup
from .pg_tools import find_pg_tool
from .restore import RestoreResult, restore_backup

__all__ = [
    "ENGINE_LABELS",
    "PG_MEMBER",
    "SQLITE_MEMBER",
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "create_backup",
    "find_pg_tool",
    "restore_backup",
]
