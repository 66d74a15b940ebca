"""An import killed midway (SIGKILL: out of memory, machine stopped) leaves the database as it was, and the
same command run again imports the whole file once.

A real `spaser import_decp` runs in a subprocess on the test database (a file copy on SQLite, the test
database on PostgreSQL). Its progress bar (on a pseudo-terminal) says how many records it has read; the
writer stores them 2 000 at a time inside the file's transaction, so once a third of the file is read,
several chunks of contracts are written but not committed. Then the process is killed."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.apps import apps
from django.db import connection

from spaser.contracts.models import Contract, ContractSupplier, ImportBatch, ImportStatus
from spaser.suppliers.models import Supplier
from tests.decp.generated import SUPPLIERS, write_2022

RECORDS = 8_000
KILL_AFTER = 4_500  # records read: two chunks of 2 000 written in the open transaction
SPASER = str(Path(sys.executable).with_name("spaser"))
READ = re.compile(rb"(\d+) lus")


def table_counts() -> dict[str, int]:
    """Rows of every table of the project (history and through tables included)."""
    return {model._meta.db_table: model._base_manager.count() for model in apps.get_models()}


def command_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(DATABASE_URL=database_url, SPASER_DATA_DIR=str(data_dir), COLUMNS="160", TERM="xterm")
    return env


def kill_midway(command: list[str], env: dict[str, str], *, after: int, limit: float = 120) -> int:
    """Run `command` with its stderr on a pseudo-terminal (its progress bar shows), SIGKILL it once it says
    it has read `after` records; returns how many it had read. Its reading process (same session) too."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    seen, read = b"", 0
    deadline = time.monotonic() + limit
    try:
        while read < after:
            assert time.monotonic() < deadline, f"pas de progression : {seen[-400:]!r}"
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    seen = (seen + os.read(leader, 65536))[-4096:]
                except OSError:  # the terminal closed: the command ended
                    break
                counts = [int(number) for number in READ.findall(seen)]
                read = max(counts, default=read)
            assert process.poll() is None, f"l'import s'est terminé avant d'être tué ({read} lus)"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):  # the reading child, if the import had started one
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        os.close(leader)
    return read


def test_a_killed_decp_import_leaves_the_database_unchanged_and_can_be_run_again(live_database, tmp_path):
    source = write_2022(tmp_path / "marches-2024.json", RECORDS, indent=False)
    env = command_env(live_database, tmp_path / "data")
    before = table_counts()
    assert before["contracts_contract"] == 0

    read = kill_midway([SPASER, "import_decp", str(source), "--sans-schema"], env, after=KILL_AFTER)
    assert KILL_AFTER <= read < RECORDS

    # Nothing of the file is stored: no contract, supplier, link, import run, history row… in any table.
    connection.close()
    assert table_counts() == before
    assert not ImportBatch.objects.exists()  # the run itself was in the transaction: no « running » ghost
    reports = tmp_path / "data" / "media" / "imports" / "reports"
    assert not reports.exists() or not any(reports.iterdir())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert cursor.execute("PRAGMA foreign_key_check").fetchall() == []

    # The same command again: the whole file, once, as a first import would.
    command = [SPASER, "import_decp", str(source), "--sans-schema", "--json"]
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    summary = json.loads(rerun.stdout)
    assert {key: summary[key] for key in ("read", "created", "updated", "unchanged", "duplicates")} == {
        "read": RECORDS,
        "created": RECORDS,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
    }
    connection.close()
    assert Contract.objects.count() == RECORDS
    assert Contract.objects.values("uid").distinct().count() == RECORDS
    assert ContractSupplier.objects.count() == RECORDS  # one supplier per generated record
    assert Supplier.objects.count() == len(SUPPLIERS)
    [batch] = ImportBatch.objects.all()
    assert (batch.status, batch.read, batch.created) == (ImportStatus.DONE, RECORDS, RECORDS)
