"""Applying a contract register's rows: merge into existing contracts, or create register-only contracts.

What a register may change (docs/registers.md):
- on any contract (DECP or register): only the register fields — end date, renewal deadline, reserved
  article, estimated spend, planned insertion hours — and the direction (`direction_source="import"`, never
  over a manual choice). An empty cell leaves the stored value as it is.
- on a register-only contract (not yet completed by a DECP import), also the descriptive fields the register
  gives: object, notification date, duration, amount, CPV. Once a DECP import completed it, the DECP owns
  them.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import orjson
from django.utils import timezone

from spaser.contracts.models import AttributionSource, Contract, ContractKind, ContractOrigin
from spaser.organisations.models import Organisation

from .matching import ContractIndex, DirectionIndex
from .results import RegisterResult, RowOutcome
from .rows import ParsedRow

REGISTER_FIELDS = (
    "end_date",
    "renewal_deadline",
    "reserved_article",
    "estimated_spend",
    "insertion_hours_planned",
)
DESCRIPTIVE_FIELDS = ("object", "notification_date", "duration_months", "amount", "cpv")
LABELS = {
    "end_date": "date de fin",
    "renewal_deadline": "date limite de reconduction",
    "reserved_article": "article du marché réservé",
    "estimated_spend": "montant estimé",
    "insertion_hours_planned": "heures d'insertion prévues",
    "object": "objet",
    "notification_date": "date de notification",
    "duration_months": "durée",
    "amount": "montant",
    "cpv": "CPV",
    "direction_id": "direction",
    "raw": "ligne source",
    "sources": "source",
    "origin": "origine (complété par les DECP)",
}
LOADED = (
    "pk",
    "uid",
    "buyer_siret",
    "contract_id",
    "origin",
    "source_format",
    "sources",
    "raw",
    "quality_flags",
    "direction_id",
    "direction_source",
    "end_date_estimated",
    "current_duration_months",
    "current_amount",
    "cpv_division",
    "notification_year",
    *REGISTER_FIELDS,
    *DESCRIPTIVE_FIELDS,
)
MISSING_FLAGS = {
    "object": "objet absent du registre",
    "amount": "montant absent du registre",
    "notification_date": "date de notification absente du registre",
    "cpv": "code CPV absent du registre",
}


def apply_register_rows(
    *,
    rows: list[ParsedRow],
    mapping: dict[str, str],
    organisation: Organisation,
    source_name: str,
    source_format: str,
    source_label: str,
    result: RegisterResult,
) -> list[int]:
    """Returns the ids of the contracts the file matched or created (for end-date estimates)."""
    index = ContractIndex(organisation=organisation, rows_values=[row.values for row in rows], fields=LOADED)
    directions = DirectionIndex(organisation)
    label = source_label or "Registre interne"
    seen: dict[str, int] = {}
    touched: list[int] = []
    now = timezone.now()
    for row in rows:
        outcome = RowOutcome(line=row.line, fate="rejected", values=row.values)
        if row.errors:
            outcome.messages = row.errors
            result.add(outcome)
            continue
        key = index.find(row.values)
        outcome.contract = key.uid
        if key.error:
            outcome.messages.append(f"ligne {row.line} : {key.error}")
            result.add(outcome)
            continue
        if key.uid in seen:
            outcome.messages.append(
                f"ligne {row.line} : même marché que la ligne {seen[key.uid]}, ligne ignorée"
            )
            result.add(outcome)
            continue
        direction = None
        if "direction" in row.values:
            direction = directions.find(row.values["direction"])
            if direction is None:
                outcome.messages.append(
                    f"ligne {row.line}, colonne « {mapping['direction']} » : « {row.values['direction']} » "
                    f"n'est pas une direction de « {organisation.name} »"
                )
                result.add(outcome)
                continue
        if len(key.uid) > 80 or len(key.contract_id) > 64:
            outcome.messages.append(f"ligne {row.line} : numéro de marché trop long (64 caractères au plus)")
            result.add(outcome)
            continue
        seen[key.uid] = row.line
        if key.contract is None:
            contract = _create(row, key, direction, source_name, source_format, label)
            index.remember(contract)
            outcome.fate, outcome.messages = (
                "created",
                ["marché créé depuis le registre (absent des DECP importées)"],
            )
            touched.append(contract.pk)
            result.add(outcome)
            continue
        contract = key.contract
        changes, warnings = _changes(contract, row, direction, label)
        touched.append(contract.pk)
        if changes:
            Contract.objects.filter(pk=contract.pk).update(**changes, updated_at=now)
            for name, value in changes.items():
                setattr(contract, name, value)
            changed = sorted({LABELS[name] for name in changes if name in LABELS})
            outcome.fate, outcome.messages = "updated", ["mis à jour : " + ", ".join(changed), *warnings]
        else:
            outcome.fate, outcome.messages = "unchanged", warnings
        result.add(outcome, warning=bool(warnings))
    return touched


def _register_owned(contract: Contract) -> bool:
    """A register-only contract that no DECP import has completed yet (the DECP importer rewrites
    `source_format` when it does)."""
    return contract.origin == ContractOrigin.REGISTER and contract.source_format.startswith("register")


def _changes(contract: Contract, row: ParsedRow, direction, label: str) -> tuple[dict[str, Any], list[str]]:
    values = row.values
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    for name in REGISTER_FIELDS:
        if name in values and getattr(contract, name) != values[name]:
            changes[name] = values[name]
    if "end_date" in values and contract.end_date_estimated:
        changes["end_date"], changes["end_date_estimated"] = values["end_date"], False
    if _register_owned(contract):
        for name in DESCRIPTIVE_FIELDS:
            if name in values and getattr(contract, name) != values[name]:
                changes[name] = values[name]
        changes.update(_derived({**{n: getattr(contract, n) for n in DESCRIPTIVE_FIELDS}, **changes}))
        changes["raw"] = row.raw
        changes = {
            name: value for name, value in changes.items() if getattr(contract, name, object()) != value
        }
    elif contract.origin == ContractOrigin.REGISTER:
        changes["origin"] = ContractOrigin.DECP
    if direction is not None:
        if contract.direction_source == AttributionSource.MANUAL:
            if contract.direction_id != direction.pk:
                warnings.append(
                    f"direction choisie à la main conservée (le registre indique « {direction} »)"
                )
        elif (contract.direction_id, contract.direction_source) != (direction.pk, AttributionSource.IMPORT):
            changes["direction_id"], changes["direction_source"] = direction.pk, AttributionSource.IMPORT
    if label not in contract.sources:
        changes["sources"] = [*contract.sources, label]
    return changes, warnings


def _derived(values: dict[str, Any]) -> dict[str, Any]:
    """Columns that follow from the register's descriptive fields on a register-only contract."""
    notification: date | None = values.get("notification_date")
    flags = [
        {"code": "register-only", "message": "Marché connu seulement par le registre interne.", "field": ""},
        *(
            {"code": "register-missing", "message": message[0].upper() + message[1:] + ".", "field": name}
            for name, message in MISSING_FLAGS.items()
            if not values.get(name)
        ),
    ]
    return {
        "object": values.get("object") or "",
        "cpv": values.get("cpv") or "",
        "cpv_division": (values.get("cpv") or "")[:2],
        "current_amount": values.get("amount"),
        "current_duration_months": values.get("duration_months"),
        "notification_year": notification.year if notification else None,
        "quality_flags": flags,
    }


def _create(row: ParsedRow, key, direction, source_name: str, source_format: str, label: str) -> Contract:
    values = row.values
    fields = {name: values[name] for name in (*REGISTER_FIELDS, *DESCRIPTIVE_FIELDS) if name in values}
    fields.update(_derived(values))
    contract = Contract(
        uid=key.uid,
        buyer_siret=key.buyer_siret,
        contract_id=key.contract_id,
        kind=ContractKind.MARCHE,
        **fields,
        direction=direction,
        direction_source=AttributionSource.IMPORT if direction else AttributionSource.NONE,
        origin=ContractOrigin.REGISTER,
        sources=[label],
        source_format=source_format,
        source_name=source_name[:300],
        raw=row.raw,
        content_hash=hashlib.sha256(
            b"register:" + orjson.dumps(row.raw, option=orjson.OPT_SORT_KEYS)
        ).hexdigest(),
    )
    contract.save()
    return contract
