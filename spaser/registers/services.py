"""Writes for internal registers: the register import, the insertion-hours import, saved column mappings.

Both imports read the whole file first (a file that is not a readable table, or a mapping that does not fit,
raises `TableError` before anything is written), then apply every row in one transaction. A dry run applies
them too and rolls back: its counts are exactly those of the real run, and nothing is written.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from spaser.contracts.attribution import attribute_contracts
from spaser.contracts.end_dates import estimate_end_dates
from spaser.contracts.signals import notify_contracts_changed
from spaser.organisations.models import Organisation

from .insertion_import import apply_insertion_rows
from .models import ColumnMapping, RegisterKind, RegisterUpload
from .register_import import apply_register_rows
from .results import RegisterResult
from .runs import close_batch, open_batch, prepare


def import_register(
    *,
    path: str | Path,
    organisation: Organisation,
    mapping: dict[str, str] | None = None,
    mapping_name: str = "",
    user=None,
    file_name: str = "",
    sheet: str = "",
    encoding: str = "",
    delimiter: str = "",
    source_label: str = "",
    dry_run: bool = False,
) -> RegisterResult:
    """Import a contract register (XLSX or CSV). Raises TableError (French, database unchanged)."""
    options = {**locals(), "kind": RegisterKind.CONTRACTS}
    return _run(**options)


def import_insertion(
    *,
    path: str | Path,
    organisation: Organisation,
    mapping: dict[str, str] | None = None,
    mapping_name: str = "",
    user=None,
    file_name: str = "",
    sheet: str = "",
    encoding: str = "",
    delimiter: str = "",
    source_label: str = "",
    dry_run: bool = False,
) -> RegisterResult:
    """Import a facilitator's insertion-hours export. Raises TableError (French, database unchanged)."""
    options = {**locals(), "kind": RegisterKind.INSERTION}
    return _run(**options)


def _run(
    *,
    kind: str,
    path,
    organisation,
    mapping,
    mapping_name,
    user,
    file_name,
    sheet,
    encoding,
    delimiter,
    source_label,
    dry_run,
) -> RegisterResult:
    prepared = prepare(
        path=path,
        kind=kind,
        organisation=organisation,
        mapping=mapping,
        file_name=file_name,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
    )
    table = prepared.table
    source_format = f"{'register' if kind == RegisterKind.CONTRACTS else 'insertion'}-{table.format}"
    result = RegisterResult(kind=kind, source=table.name, format=source_format, dry_run=dry_run)
    with transaction.atomic():
        batch, run = open_batch(
            kind=kind,
            table=table,
            organisation=organisation,
            user=user,
            source_label=source_label,
            dry_run=dry_run,
            mapping_name=mapping_name,
        )
        result.batch = batch.pk
        if kind == RegisterKind.CONTRACTS:
            touched = apply_register_rows(
                rows=prepared.rows,
                mapping=prepared.mapping,
                organisation=organisation,
                source_name=table.name,
                source_format=source_format,
                source_label=source_label,
                result=result,
            )
            # Rules attribute what neither the register nor a person attributed (as after a DECP import).
            attribute_contracts(organisation=organisation, contract_ids=touched)
            result.estimated_end_dates = estimate_end_dates(contract_ids=touched)
        else:
            apply_insertion_rows(
                rows=prepared.rows,
                mapping=prepared.mapping,
                organisation=organisation,
                batch=batch,
                result=result,
            )
        close_batch(batch=batch, run=run, result=result)
        if dry_run:
            transaction.set_rollback(True)
            result.batch = None
        else:
            notify_contracts_changed([organisation.pk])
    return result


def save_mapping(
    *, organisation: Organisation, kind: str, name: str, mapping: dict[str, str], user=None
) -> ColumnMapping:
    """Create or replace the organisation's mapping of that name (names are unique per kind)."""
    saved, _created = ColumnMapping.objects.update_or_create(
        organisation=organisation,
        kind=kind,
        name=name.strip()[:100],
        defaults={"mapping": mapping, "created_by": user if getattr(user, "pk", None) else None},
    )
    return saved


def purge_stale_uploads(*, organisation: Organisation, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete files uploaded but never imported (an abandoned mapping or preview): they may hold personal
    data (insertion participants) and are not kept longer than needed."""
    limit = timezone.now() - older_than
    stale = RegisterUpload.objects.filter(organisation=organisation, created_at__lt=limit)
    count = 0
    for pending in stale:
        pending.file.delete(save=False)
        pending.delete()
        count += 1
    return count
