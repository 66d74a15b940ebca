"""What a pilot does with a quarantined record: correct it and re-import it, or set it aside.

A correction is read again by the reader of the batch's format (`spaser.decp.open_decp_record`) and stored
through the importer's own write path (same duplicate rule, same fields, attribution by the rules). Every
failure leaves the record and the contracts as they were.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from spaser.contracts.importing.decp import attribute_new_contracts
from spaser.contracts.importing.writer import ContractWriter, prepare
from spaser.contracts.models import Contract, QuarantinedRecord, QuarantineStatus
from spaser.contracts.signals import notify_contracts_changed
from spaser.decp import RejectedRecord


def reimport_quarantined(*, record: QuarantinedRecord, corrected_raw: dict, user) -> Contract:
    """Store the corrected record as a contract and mark the quarantined one corrected. Raises
    spaser.decp.DecpError or ValidationError (French message) when it is still not a contract."""
    _check_pending(record)
    if not isinstance(corrected_raw, dict):
        raise ValidationError("La correction doit être un objet JSON ({…}) décrivant un marché.")
    from spaser.decp import open_decp_record  # the reader of every format (spaser.decp)

    batch = record.batch
    read = open_decp_record(corrected_raw, format=batch.source_format, position=record.position)
    if isinstance(read, RejectedRecord):
        raise ValidationError(
            "L'enregistrement corrigé n'est toujours pas un marché : " + " ; ".join(read.reasons)
        )
    with transaction.atomic():
        writer = ContractWriter(source_name=batch.source_name, source_label=batch.source_label)
        outcome = writer.store([prepare(read)])[read.uid]
        notify_contracts_changed()
        attribute_new_contracts([outcome.pk])
        record.status = QuarantineStatus.CORRECTED
        record.corrected_raw = corrected_raw
        record.resolved_at = timezone.now()
        record.resolved_by = user
        record.contract_id = outcome.pk
        record.save(update_fields=["status", "corrected_raw", "resolved_at", "resolved_by", "contract"])
    return Contract.objects.get(pk=outcome.pk)


def ignore_quarantined(*, record: QuarantinedRecord, user, reason: str) -> None:
    """Set a record aside (it is not a contract), with the reason of that decision."""
    _check_pending(record)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indiquez pourquoi cet enregistrement est écarté.")
    now = timezone.now()
    record.status = QuarantineStatus.IGNORED
    record.resolved_at = now
    record.resolved_by = user
    record.resolution_note = reason
    record.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note"])


def _check_pending(record: QuarantinedRecord) -> None:
    if record.status != QuarantineStatus.PENDING:
        raise ValidationError(
            f"Cet enregistrement a déjà été traité (statut : {record.get_status_display().lower()})."
        )
