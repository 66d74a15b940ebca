"""PostgreSQL's client programs (pg_dump, pg_restore): found for the server's version, run with libpq's
variables of the configured database, their failures said in French."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess

from django.db import DatabaseError, connection

from .archive import BackupError

# PostgreSQL client programs: the server's major version first (/usr/lib/postgresql/<major>/bin), then PATH,
# then the newest installed. Tests empty both to check the French error.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


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


def pg_environment() -> dict[str, str]:
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


def run_pg(arguments: list[str], what: str) -> str:
    completed = subprocess.run(arguments, env=pg_environment(), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise BackupError(
            f"{what} a échoué (base « {connection.settings_dict['NAME']} ») : "
            f"{' / '.join(detail[-3:]) or 'sans message'}."
        )
    return completed.stdout
