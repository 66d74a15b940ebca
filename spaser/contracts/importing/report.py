"""The per-record import report: one CSV row per record read, with its fate and the reasons.

Rows are spooled to a temporary file while the import streams (memory stays flat); a few fates are only
known later (a record replaced by a better duplicate further in the file), so those are kept as overrides
and applied when the report is written out. Output: `;`-separated UTF-8 with a BOM, which Excel opens
in French locales without mangling accents.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

from spaser.contracts.importing.summary import FATE_LABELS, Fate
from spaser.decp import Flag

HEADER = ("fichier", "position", "uid", "sort", "motifs", "alertes qualité")
REPORT_DIR = "imports/reports"


def describe_flags(flags: Iterable[Flag]) -> str:
    return " | ".join(f"{flag.message} [{flag.field}]" if flag.field else flag.message for flag in flags)


class ImportReport:
    def __init__(self, *, source_name: str):
        self.source_name = source_name
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        self._writer = csv.writer(self._spool, delimiter=";")
        self._overrides: dict[int, tuple[Fate, str]] = {}

    def add(self, *, position: int, uid: str, fate: Fate, reason: str = "", flags: str = "") -> None:
        self._writer.writerow((position, uid, fate.value, reason, flags))

    def override(self, *, position: int, fate: Fate, reason: str) -> None:
        self._overrides[position] = (fate, reason)

    def rows(self) -> Iterable[tuple[str, ...]]:
        """The final rows (header excluded), fates in French."""
        self._spool.seek(0)
        for position, uid, fate, reason, flags in csv.reader(self._spool, delimiter=";"):
            final, final_reason = self._overrides.get(int(position), (Fate(fate), reason))
            yield (self.source_name, position, uid, FATE_LABELS[final], final_reason, flags)

    def write(self, stream: IO[str], *, header: bool = True) -> None:
        writer = csv.writer(stream, delimiter=";")
        if header:
            writer.writerow(HEADER)
        writer.writerows(self.rows())

    def save(self, *, batch_id: int | None) -> str:
        """Store the report in the default storage (MEDIA); returns its name there."""
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(self.source_name).stem).strip("-")[:80] or "fichier"
        name = f"{REPORT_DIR}/import-{batch_id if batch_id else 'essai'}-{stem}.csv"
        with tempfile.TemporaryFile("w+b") as out:
            text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
            self.write(text)
            text.flush()
            text.detach()  # keep `out` open: the storage reads it back
            out.seek(0)
            return default_storage.save(name, File(out, name=name))

    def close(self) -> None:
        self._spool.close()
