"""`observatory_ingest`: national DECP files → the observatory's columnar store (store.py), without the ORM.

Each file is read by the one DECP reader (`spaser.decp.open_decp`: 2019/2022 JSON and XML, national tabular
CSV/Parquet, archives), each record mapped by THE mapping (`spaser.contracts.decp_mapping.contract_fields`)
and written `batch_size` records at a time as one Parquet part (`parts/<file>/part-NNNNN.parquet`): never
more than one batch of rows in memory, whatever the size of the file. A part carries, besides the store's
columns, what deduplication needs: the importer's preference key (`importing/preference.py`, computed from
the same mapped fields: latest publication, then more modifications, then more complete), the run and the
position (a full tie goes to the later one), and the buyer's name when the format gives it.

Then every part of every file ever ingested is deduplicated by `uid` into `contracts/` in bounded memory
(the winners chosen on the preference columns alone, a slice of uids at a time, then taken from each part
in turn: `_deduplicate`), and `buyers.parquet` is rebuilt (types: buyer_types.py). A file ingested again
under the same name replaces its earlier parts, so re-ingesting never duplicates; `replace=True` starts
the store afresh.

Everything is written in a staging folder first: a file that cannot be read (DecpError, French message)
stops the run and leaves the store exactly as it was.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from spaser.contracts.decp_mapping import supplier_key
from spaser.contracts.importing.preference import record_preference
from spaser.decp import ContractRecord, DecpError, DecpFile, RejectedRecord, open_decp
from spaser.observatory import buyer_types, store

BATCH_SIZE = 50_000
CENT = Decimal("0.01")
AMOUNT_LIMIT = Decimal(10) ** 16  # decimal(18, 2)
# Part-only columns (dropped from contracts/): the preference key, the tie-breaks, the buyer's name.
PART_EXTRA = pa.schema(
    [
        ("_published", pa.string()),
        ("_modifications", pa.int32()),
        ("_completeness", pa.int16()),
        ("_run", pa.int64()),
        ("_position", pa.int64()),
        ("_buyer_name", pa.string()),
    ]
)
PART_SCHEMA = pa.schema([*store.CONTRACT_SCHEMA, *PART_EXTRA])
ORDER = ["uid", "_published", "_modifications", "_completeness", "_run", "_position"]
# Deduplication: a part's rows are numbered (`_file`, `_row`) so that the winners, chosen on ORDER alone,
# can be taken back from their parts one part at a time; rows written to contracts/ at a time.
ROW_GROUP = 200_000
BUCKET_ROWS = 500_000  # part rows sorted at once to choose the winners (~100 MB)
BUCKET_SEED = 20_240_101
NO_SIREN = "SIRET de l'acheteur sans SIREN exploitable (9 premiers caractères non numériques)"
Progress = Callable[[str, int], None]


class IngestError(Exception):
    """The ingest stopped; the store is unchanged (French message naming the file)."""


@dataclass
class FileReport:
    name: str
    format: str
    read: int = 0
    kept: int = 0
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    parts: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "format": self.format,
            "read": self.read,
            "kept": self.kept,
            "rejected": self.rejected,
            "rejection_reasons": dict(self.reasons.most_common()),
            "warnings": self.warnings,
            "parts": self.parts,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class IngestSummary:
    files: list[FileReport]
    rows: int = 0  # rows of every part, before deduplication
    contracts: int = 0  # distinct uids in the store
    buyers: int = 0
    buyer_types: dict[str, int] = field(default_factory=dict)
    type_sources: dict[str, int] = field(default_factory=dict)
    replaced: bool = False
    seconds: float = 0.0

    @property
    def duplicates(self) -> int:
        return self.rows - self.contracts

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [report.as_dict() for report in self.files],
            "rows": self.rows,
            "contracts": self.contracts,
            "duplicates": self.duplicates,
            "buyers": self.buyers,
            "buyer_types": self.buyer_types,
            "type_sources": self.type_sources,
            "replaced": self.replaced,
            "seconds": round(self.seconds, 3),
            "store": str(store.root()),
        }

    def french(self) -> str:
        lines = []
        for report in self.files:
            lines.append(
                f"« {report.name} » ({report.format}) : {report.read} enregistrement(s) lu(s), "
                f"{report.kept} marché(s) retenu(s), {report.rejected} rejeté(s), "
                f"{report.parts} partie(s) Parquet, {report.seconds:.1f} s."
            )
            for reason, count in report.reasons.most_common(10):
                lines.append(f"  rejeté ({count}) : {reason}")
            if len(report.reasons) > 10:
                lines.append(f"  … et {len(report.reasons) - 10} autre(s) motif(s) (voir --json).")
            lines.extend(f"  alerte : {warning}" for warning in report.warnings)
        types = ", ".join(
            f"{store.BUYER_TYPES[key]} {count}" for key, count in sorted(self.buyer_types.items())
        )
        lines.append(
            f"Observatoire{' (repris de zéro)' if self.replaced else ''} : {self.contracts} marché(s) "
            f"distinct(s) ({self.duplicates} doublon(s) écarté(s) sur {self.rows} ligne(s)), "
            f"{self.buyers} acheteur(s) ({types}) ; {self.seconds:.1f} s. Dossier : {store.root()}"
        )
        return "\n".join(lines)


def ingest(
    paths: Iterable[str | Path],
    *,
    replace: bool = False,
    batch_size: int = BATCH_SIZE,
    sirene_files: Iterable[str | Path] = (),
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest DECP files into the store. Raises IngestError (French) and then changes nothing."""
    started = time.perf_counter()
    root = store.root()
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        staging = Path(tempfile.mkdtemp(prefix=".ingest-", dir=root))
        try:
            reports, written = [], {}
            run = time.time_ns()
            for index, path in enumerate(paths):
                decp = _open(Path(path))
                key = source_key(decp.name)
                target = staging / "parts" / key
                shutil.rmtree(target, ignore_errors=True)  # the same name twice in one run: the last wins
                report = write_parts(decp, target, run=run + index, batch_size=batch_size, progress=progress)
                reports = [r for r in reports if source_key(r.name) != key] + [report]
                written[key] = target
            kept = [] if replace or not store.parts_dir().exists() else _kept_parts(written)
            files = [*kept, *(p for target in written.values() for p in sorted(target.glob("*.parquet")))]
            summary = IngestSummary(files=reports, replaced=replace)
            _deduplicate(files, staging, summary, [Path(p) for p in sirene_files])
            _commit(staging, written, replace)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    summary.seconds = time.perf_counter() - started
    return summary


def source_key(name: str) -> str:
    """The folder of a file's parts: its name, made safe (a file re-ingested under its name replaces them)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "fichier"


def _open(path: Path) -> DecpFile:
    if not path.exists():
        raise IngestError(f"Fichier introuvable : « {path} ».")
    try:
        # The schema check only adds quality flags, which the observatory does not keep.
        return open_decp(path, validate_schema=False)
    except DecpError as error:
        raise IngestError(f"{error} Rien n'a été ingéré : l'observatoire est inchangé.") from None


def write_parts(
    decp: DecpFile,
    target: Path,
    *,
    run: int,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> FileReport:
    """Stream a file's records into Parquet parts of at most `batch_size` rows (one batch in memory)."""
    started = time.perf_counter()
    target.mkdir(parents=True, exist_ok=True)
    report = FileReport(name=decp.name, format=decp.format_label)
    rows: list[tuple] = []  # PART_SCHEMA's order; turned into columns at once when flushed
    append = rows.append
    source = decp.name
    try:
        for record in decp:
            report.read += 1
            if type(record) is RejectedRecord:
                report.rejected += 1
                report.reasons.update(record.reasons or ("motif non précisé",))
                continue
            row = _row(record, source, run)
            if row is None:
                report.rejected += 1
                report.reasons[NO_SIREN] += 1
                continue
            append(row)
            if len(rows) >= batch_size:
                report.kept += len(rows)
                _flush(rows, target, report)
                if progress:
                    progress(decp.name, report.read)
    except DecpError as error:
        raise IngestError(
            f"{error} (après {report.read} enregistrement(s)). "
            "Rien n'a été ingéré : l'observatoire est inchangé."
        ) from None
    report.kept += len(rows)
    _flush(rows, target, report)
    report.warnings = list(decp.warnings)
    report.seconds = time.perf_counter() - started
    return report


def _row(record: ContractRecord, source: str, run: int) -> tuple | None:
    """The part row of one record (PART_SCHEMA's order); None without a buyer SIREN.

    The values are those of THE mapping (`contract_fields(record)`: the Contract columns of the same names)
    and of the importer's preference key, read from the record directly: mapping every field (the
    modifications, the quality flags as dicts…) would cost more than the rest of the row.
    tests/observatory/test_ingest.py checks both against `contract_fields` and `preference`."""
    siret = record.buyer_siret
    siren = siret[:9]
    if len(siren) != 9 or not siren.isdigit():
        return None
    published, modifications, completeness = record_preference(record)
    social, environmental = record.social, record.environmental
    notification = record.notification_date
    rate = record.advance_rate
    suppliers = record.suppliers
    cpv = record.cpv
    if record.modifications:
        current_amount = record.current_amount
        current_duration = record.current_duration_months
    else:
        current_amount, current_duration = record.amount, record.duration_months
    amount = _amount(record.amount)
    return (
        record.uid,
        siret,
        siren,
        record.kind,
        record.nature,
        record.procedure,
        cpv,
        cpv[:2],
        notification,
        notification.year if notification else None,
        record.publication_date,
        amount,
        amount if current_amount is record.amount else _amount(current_amount),
        record.duration_months,
        current_duration,
        record.bids_received,
        float(rate) if rate is not None else None,
        bool(record.is_framework),
        social.has_any,
        social.clause,
        social.criterion,
        social.reserved,
        environmental.has_any,
        environmental.clause,
        environmental.criterion,
        record.innovative,
        record.subcontracting_declared,
        record.advance_granted,
        len({supplier_key(supplier) for supplier in suppliers}) if len(suppliers) > 1 else len(suppliers),
        source,
        published,
        modifications,
        completeness,
        run,
        record.position,
        record.buyer_name or None,
    )


def _amount(value: Decimal | None) -> Decimal | None:
    """Cents (the Contract column's scale); beyond decimal(18, 2) an amount is not one (None)."""
    if value is None:
        return None
    try:
        rounded = value.quantize(CENT)
    except InvalidOperation:
        return None
    return rounded if abs(rounded) < AMOUNT_LIMIT else None


def _flush(rows: list[tuple], target: Path, report: FileReport) -> None:
    if not rows:
        return
    columns = zip(*rows, strict=True)
    table = pa.Table.from_arrays(
        [pa.array(values, type=column.type) for values, column in zip(columns, PART_SCHEMA, strict=True)],
        schema=PART_SCHEMA,
    )
    pq.write_table(table, target / f"part-{report.parts:05d}.parquet", compression="zstd")
    report.parts += 1
    rows.clear()


def _kept_parts(written: dict[str, Path]) -> list[Path]:
    """The parts already in the store, but those of the files ingested again now."""
    kept = []
    for folder in sorted(store.parts_dir().iterdir()):
        if folder.is_dir() and folder.name not in written:
            kept.extend(sorted(folder.glob("*.parquet")))
    return kept


def _deduplicate(files: list[Path], staging: Path, summary: IngestSummary, sirene: list[Path]) -> None:
    """One row per uid (the preferred version) → staging/contracts/; the buyers → staging/buyers.parquet.

    In bounded memory, whatever the number of rows: the winners are chosen on the preference columns alone
    (`_winners`), then taken from each part in turn and written a row group at a time; the buyers are
    counted from the winners' (SIREN, name), written aside and scanned lazily."""
    out = staging / "contracts"
    out.mkdir()
    if not files:
        pq.write_table(store.CONTRACT_SCHEMA.empty_table(), out / "contracts.parquet")
        pq.write_table(store.BUYERS_SCHEMA.empty_table(), staging / "buyers.parquet")
        return
    rows_by_file, summary.rows, summary.contracts = _winners(files)
    names_path = staging / "buyer-names.parquet"
    names_schema = pa.schema([store.CONTRACT_SCHEMA.field("buyer_siren"), PART_EXTRA.field("_buyer_name")])
    pending: list[pa.Table] = []
    with (
        pq.ParquetWriter(out / "contracts.parquet", store.CONTRACT_SCHEMA, compression="zstd") as contracts,
        pq.ParquetWriter(names_path, names_schema, compression="zstd") as names,
    ):
        for index, path in enumerate(files):
            rows = rows_by_file.pop(index, None)
            if rows is None:
                continue  # every row of this part lost to a later version
            part = pq.read_table(path, columns=[*store.CONTRACT_COLUMNS, "_buyer_name"]).take(rows)
            pending.append(part.select(store.CONTRACT_COLUMNS).cast(store.CONTRACT_SCHEMA))
            names.write_table(part.select(names_schema.names).cast(names_schema))
            if sum(table.num_rows for table in pending) >= ROW_GROUP:
                contracts.write_table(pa.concat_tables(pending))
                pending.clear()
        if pending:
            contracts.write_table(pa.concat_tables(pending))
    buyers = _buyers(pl.scan_parquet(names_path), sirene)
    names_path.unlink()
    _write_exact(buyers, staging / "buyers.parquet", store.BUYERS_SCHEMA)
    summary.buyers = buyers.height
    summary.buyer_types = dict(buyers.group_by("buyer_type").len().sort("buyer_type").iter_rows())
    summary.type_sources = dict(buyers.group_by("type_source").len().sort("type_source").iter_rows())


def _winners(files: list[Path]) -> tuple[dict[int, pa.Array], int, int]:
    """Where the preferred version of every uid is — {part's index: its rows, ascending} — the number of
    rows of all the parts, and the number of uids.

    The preferred version: the latest publication, then more modifications, then more complete, then the
    later run and position (ORDER), a full tie going to the later part and row. Only ORDER's columns are
    read, and the uids are taken in BUCKET_ROWS-row slices (by a hash of the uid: every version of a uid
    in the same slice), so that the sort's memory does not grow with the files."""
    parts = pl.concat(
        [
            pl.scan_parquet(str(path))
            .select(ORDER)
            .with_row_index("_row")
            .with_columns(pl.lit(index, dtype=pl.UInt32).alias("_file"))
            for index, path in enumerate(files)
        ],
        how="vertical",
    )
    rows = sum(pq.read_metadata(path).num_rows for path in files)
    buckets = max(1, -(-rows // BUCKET_ROWS))
    # Sorted with `uid` first, the versions of a uid follow one another, the preferred one last.
    last = pl.col("uid").ne_missing(pl.col("uid").shift(-1))
    found = []
    for bucket in range(buckets):
        sliced = parts
        if buckets > 1:
            sliced = parts.filter(pl.col("uid").hash(seed=BUCKET_SEED) % buckets == bucket)
        found.append(sliced.sort([*ORDER, "_file", "_row"]).filter(last).select("_file", "_row").collect())
    winners = pl.concat(found).sort("_file", "_row")
    groups = winners.partition_by("_file", as_dict=True)
    return {int(key[0]): frame["_row"].to_arrow() for key, frame in groups.items()}, rows, winners.height


def _write_exact(frame: pl.DataFrame, path: Path, schema: pa.Schema, rows: int = ROW_GROUP) -> None:
    """Written with the store's schema exactly (polars would write large strings), a row group at a time."""
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for chunk in frame.iter_slices(rows):
            writer.write_table(chunk.to_arrow().cast(schema))
        if frame.height == 0:
            writer.write_table(schema.empty_table())


def _buyers(contracts: pl.LazyFrame, sirene: list[Path]) -> pl.DataFrame:
    counts = contracts.group_by("buyer_siren").agg(pl.len().cast(pl.Int64).alias("contracts"))
    names = (
        contracts.filter(pl.col("_buyer_name").is_not_null() & (pl.col("_buyer_name") != ""))
        .group_by("buyer_siren", "_buyer_name")
        .len()
        .sort(["buyer_siren", "len", "_buyer_name"], descending=[False, True, False])
        .unique(subset="buyer_siren", keep="first", maintain_order=True)
        .select("buyer_siren", pl.col("_buyer_name").alias("name"))
    )
    frame = counts.join(names, on="buyer_siren", how="left").sort("buyer_siren").collect()
    sirens = frame["buyer_siren"].to_list()
    try:
        categories = buyer_types.known_categories(sirens, sirene_files=sirene)
    except buyer_types.SireneFileError as error:
        raise IngestError(f"{error} Rien n'a été ingéré : l'observatoire est inchangé.") from None
    types = buyer_types.types_for(sirens, categories)
    frame = frame.with_columns(
        pl.Series("buyer_type", [types[siren][0] for siren in sirens], dtype=pl.String),
        pl.Series("type_source", [types[siren][1] for siren in sirens], dtype=pl.String),
    )
    return frame.select(store.BUYERS_SCHEMA.names)


def _commit(staging: Path, written: dict[str, Path], replace: bool) -> None:
    """Move the staged parts, contracts and buyers into the store (the old ones to the staging folder, which
    is then removed). Only renames, on the same file system."""
    trash = staging / "old"
    trash.mkdir()
    parts = store.parts_dir()
    if replace and parts.exists():
        parts.rename(trash / "parts")
    parts.mkdir(exist_ok=True)
    for key, folder in written.items():
        if (parts / key).exists():
            (parts / key).rename(trash / f"part-{key}")
        folder.rename(parts / key)
    if replace:
        for stale in (store.indicators_dir(),):  # indicators of the old store no longer hold
            if stale.exists():
                stale.rename(trash / stale.name)
    contracts = store.contracts_dir()
    if contracts.exists():
        contracts.rename(trash / "contracts")
    (staging / "contracts").rename(contracts)
    os.replace(staging / "buyers.parquet", store.buyers_path())


@contextmanager
def _locked(root: Path):
    """One ingest at a time on a store."""
    with open(root / ".ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestError(
                f"Une autre ingestion est en cours sur « {root} » : attendez qu'elle se termine."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
