"""Applying a facilitator's export: hours per contract and period, and the participants.

One line = one contract × period, optionally one participant. Lines of the same contract and period form one
period; a re-import of that period replaces it whole (what the facilitator sends is the truth for the period),
and leaves it untouched when nothing differs. A line for an unknown contract is rejected, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from spaser.contracts.models import Contract, ImportBatch
from spaser.organisations.models import Organisation

from .matching import ContractIndex
from .models import InsertionHours, InsertionParticipant
from .results import RegisterResult, RowOutcome
from .rows import ParsedRow

PARTICIPANT_FIELDS = ("gender", "resident", "participant_hours")


@dataclass
class Period:
    contract: Contract
    start: date
    end: date
    first_line: int
    hours_planned: Decimal | None = None
    hours_realised: Decimal | None = None
    participants: dict[str, tuple] = field(default_factory=dict)  # person_ref → (gender, resident, hours)
    outcomes: list[RowOutcome] = field(default_factory=list)


def apply_insertion_rows(
    *,
    rows: list[ParsedRow],
    mapping: dict[str, str],
    organisation: Organisation,
    batch: ImportBatch,
    result: RegisterResult,
) -> None:
    index = ContractIndex(
        organisation=organisation,
        rows_values=[row.values for row in rows],
        fields=("pk", "uid", "buyer_siret", "contract_id"),
    )
    periods: dict[tuple[int, date, date], Period] = {}
    rejected: list[RowOutcome] = []
    for row in rows:
        outcome = RowOutcome(line=row.line, fate="rejected", values=row.values, messages=list(row.errors))
        if row.errors:
            rejected.append(outcome)
            continue
        key = index.find(row.values)
        outcome.contract = key.uid
        if key.error or key.contract is None:
            reason = (
                key.error
                or "marché inconnu dans les données de l'organisation (importez d'abord ses DECP "
                "ou son registre)"
            )
            outcome.messages.append(f"ligne {row.line} : {reason}")
            rejected.append(outcome)
            continue
        start, end = row.values["period_start"], row.values["period_end"]
        if end < start:
            outcome.messages.append(
                f"ligne {row.line} : la fin de période ({end:%d/%m/%Y}) précède son début ({start:%d/%m/%Y})"
            )
            rejected.append(outcome)
            continue
        period = periods.setdefault(
            (key.contract.pk, start, end),
            Period(contract=key.contract, start=start, end=end, first_line=row.line),
        )
        problem = _add_to_period(period, row, mapping)
        if problem:
            outcome.messages.append(problem)
            rejected.append(outcome)
            continue
        period.outcomes.append(outcome)

    for outcome in rejected:
        result.add(outcome)
    for period in periods.values():
        fate = _store(period, batch)
        for outcome in period.outcomes:
            outcome.fate = fate
            result.add(outcome)
    result.outcomes.sort(key=lambda outcome: outcome.line)


def _add_to_period(period: Period, row: ParsedRow, mapping: dict[str, str]) -> str:
    """Hours of the period may be repeated on each participant's line, but must then agree."""
    for name in ("hours_planned", "hours_realised"):
        value = row.values.get(name)
        if value is None:
            continue
        known = getattr(period, name)
        if known is not None and known != value:
            return (
                f"ligne {row.line}, colonne « {mapping[name]} » : {value} au lieu de {known} "
                f"(ligne {period.first_line}) pour le même marché et la même période"
            )
        setattr(period, name, value)
    person = row.values.get("person_ref")
    if person is None:
        if any(name in row.values for name in PARTICIPANT_FIELDS):
            return f"ligne {row.line} : genre, résidence ou heures d'un participant sans sa référence"
        return ""
    if person in period.participants:
        return f"ligne {row.line} : le participant « {person} » figure déjà pour ce marché et cette période"
    period.participants[person] = (
        row.values.get("gender", ""),
        row.values.get("resident"),
        row.values.get("participant_hours"),
    )
    return ""


def _store(period: Period, batch: ImportBatch) -> str:
    existing = InsertionHours.objects.filter(
        contract=period.contract, period_start=period.start, period_end=period.end
    ).first()
    if existing is not None:
        stored = {p.person_ref: (p.gender, p.resident, p.hours) for p in existing.participants.all()}
        same_hours = (existing.hours_planned, existing.hours_realised) == (
            period.hours_planned,
            period.hours_realised,
        )
        if same_hours and stored == period.participants:
            return "unchanged"
        existing.delete()  # the participants go with it (cascade)
    hours = InsertionHours.objects.create(
        contract=period.contract,
        period_start=period.start,
        period_end=period.end,
        hours_planned=period.hours_planned,
        hours_realised=period.hours_realised,
        batch=batch,
    )
    InsertionParticipant.objects.bulk_create(
        InsertionParticipant(
            contract=period.contract,
            period=hours,
            person_ref=person,
            gender=gender,
            resident=resident,
            hours=participant_hours,
            batch=batch,
        )
        for person, (gender, resident, participant_hours) in period.participants.items()
    )
    return "created" if existing is None else "updated"
