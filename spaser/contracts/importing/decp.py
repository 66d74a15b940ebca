"""The DECP file importer: streams a file in chunks and gives every record a fate.

One ImportBatch and one transaction per file: a file that turns out unreadable halfway (DecpError) leaves the
database unchanged. Records are read and stored CHUNK_SIZE at a time; across chunks only what the duplicate
rule needs is kept (per uid: the position of the kept record, its fate, whether it has quality flags).
Duplicates follow the rule of `preference.py` (ADR 0004). Invariant checked before committing:
read == created + updated + unchanged + duplicates + quarantined.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from spaser.contracts.attribution import attribute_contracts
from spaser.contracts.decp_mapping import json_safe
from spaser.contracts.end_dates import estimate_end_dates
from spaser.contracts.importing.pipeline import PIECE, prepared_pieces
from spaser.contracts.importing.preference import why_preferred
from spaser.contracts.importing.report import ImportReport
from spaser.contracts.importing.summary import COUNTED, Fate, ImportSummary
from spaser.contracts.importing.writer import ContractWriter, Outcome, Prepared, restore_updated_at
from spaser.contracts.models import ImportBatch, ImportKind, ImportStatus, QuarantinedRecord
from spaser.contracts.signals import notify_contracts_changed
from spaser.decp import DecpFile, RejectedRecord, open_decp
from spaser.organisations.models import Organisation
from spaser.suppliers.services import refresh_inclusive_flags

CHUNK_SIZE = 2_000
IMPORT_CACHE_KB = -64 * 1024  # SQLite's PRAGMA cache_size: negative = KiB
GC_YOUNG_THRESHOLD = 10_000  # see _fewer_collections
ANALYZE_AFTER = 10_000  # contracts created by one file, beyond which PostgreSQL's statistics are refreshed

Progress = Callable[[int, float | None], None]


def import_decp_file(
    *,
    path: str | Path,
    user=None,
    source_label: str = "",
    dry_run: bool = False,
    validate_schema: bool = True,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> ImportSummary:
    """Import one DECP file. Raises spaser.decp.DecpError (French message) and then writes nothing.
    `parallel`: read in a second process (None: when worth it, see importing/pipeline.py)."""
    source = open_decp(path, validate_schema=validate_schema)
    return import_decp_source(
        source=source,
        user=user,
        source_label=source_label,
        dry_run=dry_run,
        progress=progress,
        parallel=parallel,
    )


def import_decp_source(
    *,
    source: DecpFile,
    user=None,
    source_label: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> ImportSummary:
    report = ImportReport(source_name=source.name)
    try:
        with _fewer_collections(), _large_sqlite_cache(), transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=ImportKind.DECP,
                source_name=source.name[:300],
                source_label=source_label[:120],
                source_format=source.format,
                status=ImportStatus.RUNNING,
                dry_run=dry_run,
                user=user,
            )
            run = _Run(source=source, batch=batch, report=report, source_label=source_label, dry_run=dry_run)
            run.consume(progress, parallel=parallel)
            run.finish()
            if not dry_run:
                # Suppliers first seen in this file get the inclusive flag of the imported lists.
                refresh_inclusive_flags()
                if run.summary.created or run.summary.updated:
                    notify_contracts_changed()  # a file may concern any organisation's perimeter
                if run.summary.created > ANALYZE_AFTER and connection.vendor == "postgresql":
                    # Fresh planner statistics: without them the indicators' grouped queries can take minutes.
                    with connection.cursor() as cursor:
                        cursor.execute("ANALYZE contracts_contract, contracts_contractsupplier")
            if dry_run:
                transaction.set_rollback(True)
    finally:
        report.close()
    return run.summary


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Fewer passes of the cyclic garbage collector while the import runs: the objects that exist before it
    (Django, modules) are frozen out of the passes, and the youngest generation is collected every
    GC_YOUNG_THRESHOLD allocations instead of 700. A quarter of an import's time went to these passes, for
    little garbage (records are freed by reference counting); memory stays bounded. Restored after."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], GC_YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@contextmanager
def _large_sqlite_cache() -> Iterator[None]:
    """On SQLite, a 64 MB page cache for this connection while the import runs (the default 2 MB makes every
    insert into the uid index read pages back); the previous size is restored. A per-connection setting that
    changes nothing in the database and is safe inside a transaction."""
    if connection.vendor != "sqlite":
        yield
        return
    # Through the driver's connection: Django refuses queries in a transaction marked for rollback (a dry
    # run), and a page cache setting is no query of the import.
    connection.ensure_connection()
    sqlite = connection.connection
    (previous,) = sqlite.execute("PRAGMA cache_size").fetchone()
    sqlite.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KB}")
    try:
        yield
    finally:
        sqlite.execute(f"PRAGMA cache_size = {int(previous)}")


@dataclass(slots=True)
class _Kept:
    """Per uid, across chunks: the record of this file kept for it (position 0 = the stored version)."""

    position: int
    fate: Fate | None
    flagged: bool


class _Run:
    def __init__(
        self, *, source: DecpFile, batch: ImportBatch, report: ImportReport, source_label: str, dry_run: bool
    ):
        self.source, self.batch, self.report = source, batch, report
        self.summary = ImportSummary(
            source=source.name,
            format=source.format,
            batch=None if dry_run else batch.pk,
            source_label=source_label,
            dry_run=dry_run,
        )
        self.writer = ContractWriter(
            source_name=source.name, source_label=source_label, estimate_end_dates=True
        )
        self.kept: dict[str, _Kept] = {}
        # uid → (hash, updated_at) before this run, for contracts this run updated: a later duplicate that
        # brings the stored content back makes the contract unchanged again.
        self.originals: dict[str, tuple[str, datetime | None]] = {}
        self.touched: set[int] = set()
        self.organisations = list(Organisation.objects.filter(attribution_rules__isnull=False).distinct())

    def consume(self, progress: Progress | None, *, parallel: bool | None) -> None:
        pending: list[Prepared | RejectedRecord] = []
        size = self.source.size
        for piece in prepared_pieces(self.source, parallel=parallel):
            self.summary.read += len(piece.items)
            pending.extend(piece.items)
            if len(pending) >= CHUNK_SIZE:
                self._store_chunk(pending)
                pending = []
            if progress is not None and len(piece.items) == PIECE:  # a shorter piece is the last one
                progress(self.summary.read, min(piece.bytes_read / size, 1.0) if size else None)
        if pending:
            self._store_chunk(pending)
        if progress is not None:
            progress(self.summary.read, 1.0)

    def finish(self) -> None:
        summary = self.summary
        summary.touched_ids = sorted(self.touched)
        if not summary.balanced:  # every record's fate must be accounted for; otherwise write nothing
            raise RuntimeError(f"Bilan d'import incohérent pour {self.source.name} : {summary.as_dict()}")
        summary.report_file = self.report.save(batch_id=summary.batch)
        batch = self.batch
        for name in COUNTED:
            setattr(batch, name, getattr(summary, name))
        batch.report_file.name = summary.report_file
        batch.status = ImportStatus.DONE
        batch.finished_at = timezone.now()
        batch.save()

    # -- one chunk ---------------------------------------------------------------------------------------

    def _store_chunk(self, items: list[Prepared | RejectedRecord]) -> None:
        rows: list[tuple[int, str, Fate, str, str]] = []
        self._quarantine([item for item in items if isinstance(item, RejectedRecord)], rows)
        winners: dict[str, Prepared] = {}
        for item in items:
            if isinstance(item, RejectedRecord):
                continue
            current = winners.get(item.uid)
            if current is None:
                winners[item.uid] = item
                continue
            # Same key: the later record in the file wins (a file appended with a correction).
            winner, loser = (item, current) if item.key >= current.key else (current, item)
            winners[item.uid] = winner
            self._duplicate_row(rows, loser, winner)
        outcomes = self.writer.store(list(winners.values()))
        chunk_touched: list[int] = []
        for item in winners.values():
            self._settle(item, outcomes[item.uid], rows, chunk_touched)
        self._attribute(chunk_touched)
        # An end date the DECP does not give is estimated (notification + duration) for the renewal radar:
        # created contracts got it in their INSERT (the writer's `estimate_end_dates`), rewritten ones here.
        rewritten = {outcome.pk for outcome in outcomes.values() if outcome.fate == Fate.UPDATED}
        if rewritten:
            estimate_end_dates(contract_ids=[pk for pk in chunk_touched if pk in rewritten])
        rows.sort(key=lambda row: row[0])
        for position, uid, fate, reason, flags in rows:
            self.report.add(position=position, uid=uid, fate=fate, reason=reason, flags=flags)

    def _quarantine(self, rejected: list[RejectedRecord], rows: list) -> None:
        QuarantinedRecord.objects.bulk_create(
            QuarantinedRecord(
                batch=self.batch, position=r.position, reasons=list(r.reasons), raw=json_safe(r.raw)
            )
            for r in rejected
        )
        for record in rejected:
            rows.append(
                (record.position, _raw_uid(record.raw), Fate.QUARANTINED, " ; ".join(record.reasons), "")
            )
        self.summary.quarantined += len(rejected)

    def _duplicate_row(self, rows: list, loser: Prepared, winner: Prepared) -> None:
        reason = (
            f"Doublon de l'enregistrement n° {winner.position} (même uid), gardé : "
            f"{why_preferred(winner.key, loser.key)}."
        )
        rows.append((loser.position, loser.uid, Fate.DUPLICATE, reason, loser.flags))
        self.summary.duplicates += 1

    def _settle(self, item: Prepared, outcome: Outcome, rows: list, chunk_touched: list[int]) -> None:
        """The fate of a chunk's winner, in the light of what earlier chunks kept for its uid."""
        summary, flags = self.summary, item.flags
        flagged = bool(flags)
        kept = self.kept.get(item.uid)
        if kept is None or (kept.position == 0 and outcome.fate != Fate.DUPLICATE):
            fate = outcome.fate
            if fate == Fate.UPDATED:
                self.originals[item.uid] = (outcome.previous_hash, outcome.previous_updated_at)
        elif outcome.fate in (Fate.DUPLICATE, Fate.UNCHANGED):
            # The version kept earlier in this file is preferred, or is the very same content.
            why = (
                "contenu identique"
                if outcome.fate == Fate.UNCHANGED
                else "il est plus récent ou plus complet"
            )
            where = f"l'enregistrement n° {kept.position}" if kept.position else "la version enregistrée"
            rows.append(
                (item.position, item.uid, Fate.DUPLICATE, f"Doublon de {where} (même uid) : {why}.", flags)
            )
            summary.duplicates += 1
            return
        else:  # this record replaces the one kept from an earlier chunk
            fate = self._replace(item, kept, outcome)
        if fate != Fate.DUPLICATE:
            summary.warnings += flagged
            self.kept[item.uid] = _Kept(item.position, fate, flagged)
            if fate in (Fate.CREATED, Fate.UPDATED):
                chunk_touched.append(outcome.pk)
                self.touched.add(outcome.pk)
        else:
            self.kept.setdefault(item.uid, _Kept(0, None, False))
        summary.count(fate)
        rows.append((item.position, item.uid, fate, outcome.reason, flags))

    def _replace(self, item: Prepared, kept: _Kept, outcome: Outcome) -> Fate:
        summary = self.summary
        self.report.override(
            position=kept.position,
            fate=Fate.DUPLICATE,
            reason=f"Doublon de l'enregistrement n° {item.position} (même uid), gardé : "
            "publié plus récemment, plus complet, ou lu après.",
        )
        summary.count(kept.fate, -1)
        summary.duplicates += 1
        summary.warnings -= kept.flagged
        if kept.fate == Fate.CREATED:
            return Fate.CREATED
        if kept.fate == Fate.UNCHANGED:
            self.originals[item.uid] = (outcome.previous_hash, outcome.previous_updated_at)
            return Fate.UPDATED
        original_hash, original_updated_at = self.originals[item.uid]
        if item.hash == original_hash and original_updated_at is not None:
            restore_updated_at(pk=outcome.pk, updated_at=original_updated_at)
            self.touched.discard(outcome.pk)
            return Fate.UNCHANGED
        return Fate.UPDATED

    def _attribute(self, contract_ids: list[int]) -> None:
        self.summary.attributed += attribute_new_contracts(contract_ids, organisations=self.organisations)


def attribute_new_contracts(
    contract_ids: list[int], *, organisations: list[Organisation] | None = None
) -> int:
    """Attribute new and changed contracts with the rules of every organisation whose perimeter holds
    them (a rule never changes an import or a manual attribution). Returns how many changed direction."""
    if not contract_ids:
        return 0
    if organisations is None:
        organisations = list(Organisation.objects.filter(attribution_rules__isnull=False).distinct())
    return sum(
        attribute_contracts(organisation=organisation, contract_ids=contract_ids)
        for organisation in organisations
    )


def _raw_uid(raw: object) -> str:
    """What the report can show of a record that is not a contract: its id, when it has one."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str | int):
        return str(raw["id"])[:80]
    return ""
