"""What both importers share: reading the file with its mapping, and the ImportBatch of a run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from spaser.contracts.models import ImportBatch, ImportKind, ImportStatus
from spaser.organisations.models import Organisation

from .mapping import clean_mapping, header_score, mapping_errors, propose_mapping
from .models import RegisterImport, RegisterKind
from .results import RegisterResult
from .rows import ParsedRow, parse_rows
from .tables import Table, TableError, read_table


class MappingError(TableError):
    """The mapping does not fit the file (missing column, no contract key): nothing is imported."""


@dataclass
class Prepared:
    table: Table
    mapping: dict[str, str]
    rows: list[ParsedRow]


def prepare(
    *,
    path: str | Path,
    kind: str,
    organisation: Organisation,
    mapping: dict[str, str] | None = None,
    file_name: str = "",
    sheet: str = "",
    encoding: str = "",
    delimiter: str = "",
) -> Prepared:
    """Read the file and its rows. Without a mapping, the one proposed from the headers is used.
    Raises TableError / MappingError (French) before anything is written."""
    table = read_table(
        path,
        name=file_name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        header_score=header_score(kind),
    )
    used = (
        clean_mapping(mapping, kind=kind)
        if mapping is not None
        else propose_mapping(table.headers, kind=kind)
    )
    errors = mapping_errors(
        used, headers=table.headers, kind=kind, has_default_buyer=organisation.buyers.count() == 1
    )
    if errors:
        raise MappingError(
            f"Correspondance des colonnes inutilisable pour « {table.name} » : " + " ".join(errors)
        )
    return Prepared(table=table, mapping=used, rows=parse_rows(table, mapping=used, kind=kind))


def open_batch(
    *,
    kind: str,
    table: Table,
    organisation: Organisation,
    user,
    source_label: str,
    dry_run: bool,
    mapping_name: str,
) -> tuple[ImportBatch, RegisterImport]:
    batch = ImportBatch.objects.create(
        kind=ImportKind.REGISTER if kind == RegisterKind.CONTRACTS else ImportKind.INSERTION,
        source_name=table.name[:300],
        source_label=source_label[:120],
        source_format=f"{'register' if kind == RegisterKind.CONTRACTS else 'insertion'}-{table.format}",
        status=ImportStatus.RUNNING,
        dry_run=dry_run,
        user=user if getattr(user, "pk", None) else None,
    )
    run = RegisterImport.objects.create(
        organisation=organisation, batch=batch, kind=kind, mapping_name=mapping_name[:100]
    )
    return batch, run


def close_batch(*, batch: ImportBatch, run: RegisterImport, result: RegisterResult) -> None:
    """Counts on the batch: ImportBatch has no column for rejected rows, they are kept on RegisterImport
    (and, for the shared lists, in `quarantined`: rows that could not be stored)."""
    if not result.balanced:  # every row's fate must be accounted for; otherwise write nothing
        raise RuntimeError(f"Bilan d'import incohérent pour {result.source} : {result.as_dict()}")
    batch.read, batch.created, batch.updated = result.read, result.created, result.updated
    batch.unchanged, batch.quarantined, batch.warnings = result.unchanged, result.rejected, result.warnings
    batch.status, batch.finished_at = ImportStatus.DONE, timezone.now()
    if not result.dry_run:
        batch.report_file.save(
            f"resultat-import-{batch.pk}.csv", ContentFile(result.report_csv()), save=False
        )
    batch.save()
    run.rejected = result.rejected
    run.save(update_fields=["rejected"])
