"""The one write path for DECP records: compare with what is stored, create, update or leave unchanged.

Used by the file importer chunk by chunk and by the correction of a quarantined record. It receives records
with distinct uids (duplicates inside a file are resolved before, with the same preference rule).
A DECP write sets `origin = "decp"`, adds its source to `sources`, and never touches what registers and
people own: register-only fields, and the direction (attribution runs afterwards and keeps imports and
manual choices).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from spaser.contracts.decp_mapping import FIELD_NAMES, content_hash, contract_fields, raw_json, supplier_key
from spaser.contracts.end_dates import add_months
from spaser.contracts.importing.bulk import convert, converters, insert_rows, insert_values, update_values
from spaser.contracts.importing.preference import PREFERENCE_COLUMNS, Preference, preference
from spaser.contracts.importing.report import describe_flags
from spaser.contracts.importing.summary import Fate
from spaser.contracts.models import Contract, ContractOrigin, ContractSupplier
from spaser.decp import ContractRecord, SupplierRecord
from spaser.suppliers.models import Supplier

BATCH = 500  # rows per INSERT / ids per IN (...): under SQLite's and PostgreSQL's parameter limits


class Prepared(NamedTuple):
    """What the writer needs of one record: its Contract columns as database parameters (`values`, in the
    order of COLUMNS; `end_date`: the estimated end date columns), its content hash and preference key, its
    suppliers, and for the report its position and quality flags (described). A named tuple of plain data on
    purpose: prepared records are made in the reading process and cross to the writing one
    (importing/pipeline.py); a tuple pickles several times faster than a dataclass."""

    position: int
    uid: str
    hash: str
    key: Preference
    values: tuple[Any, ...]
    end_date: tuple[Any, bool]
    suppliers: tuple[SupplierRecord, ...]
    flags: str  # the quality flags, described for the report ("" when none)


@dataclass(slots=True)
class Outcome:
    fate: Fate  # CREATED, UPDATED, UNCHANGED, or DUPLICATE (a stored version is preferred)
    pk: int
    reason: str = ""
    previous_hash: str = ""  # UPDATED only: what was stored before, to undo-detect a later replacement
    previous_updated_at: datetime | None = None


@dataclass(slots=True)
class _Stored:
    pk: int
    hash: str
    origin: str
    sources: list[str]
    updated_at: datetime


COLUMNS = (*FIELD_NAMES, "content_hash", "raw")  # what a DECP record gives a Contract row
_pick_columns = itemgetter(*COLUMNS)
WRITER_COLUMNS = ("source_name", "origin", "sources")  # what the import adds (the writer's source)
UPDATE_COLUMNS = (*WRITER_COLUMNS, "updated_at")
END_DATE_COLUMNS = ("end_date", "end_date_estimated")
NO_END_DATE = (None, False)


def prepare(record: ContractRecord) -> Prepared:
    fields = contract_fields(record)
    raw = raw_json(record.raw)
    suppliers = record.suppliers
    fields["content_hash"] = content_hash(record, raw)
    fields["raw"] = raw
    functions = _converters(connection.vendor)
    return Prepared(
        record.position,
        record.uid,
        fields["content_hash"],
        preference(fields, has_suppliers=bool(suppliers)),
        convert(_pick_columns(fields), functions.columns),
        convert(_estimated_end_date(fields), functions.end_date),
        suppliers,
        describe_flags(record.flags),
    )


@dataclass(frozen=True)
class _Converters:
    columns: tuple
    end_date: tuple
    writer: tuple
    update: tuple


@cache
def _converters(vendor: str) -> _Converters:
    """The parameter converters of each group of columns, for the database in use (chosen once)."""
    return _Converters(
        converters(Contract, COLUMNS),
        converters(Contract, END_DATE_COLUMNS),
        converters(Contract, WRITER_COLUMNS),
        converters(Contract, UPDATE_COLUMNS),
    )


class ContractWriter:
    def __init__(self, *, source_name: str, source_label: str = "", estimate_end_dates: bool = False):
        self.source_name = source_name[:300]
        # With a label (a platform), the daily files of one source count once in `sources`.
        self.source = (source_label or source_name)[:300]
        # The file importer estimates end dates of the contracts it touches: for the ones it creates, the
        # estimate goes in the INSERT itself (what `end_dates.estimate_end_dates` would write just after,
        # without reading the rows back and a bulk_update); updated contracts are left to that function.
        self.estimate_end_dates = estimate_end_dates

    def store(self, items: list[Prepared]) -> dict[str, Outcome]:
        """Outcome by uid. Queries: a few per 500 records, plus one UPDATE per changed contract."""
        existing = self._existing([item.uid for item in items])
        stored_keys = self._stored_preferences(
            [
                existing[item.uid].pk
                for item in items
                if item.uid in existing
                and existing[item.uid].hash != item.hash
                and existing[item.uid].origin == ContractOrigin.DECP
            ]
        )
        now = timezone.now()
        updates: list[tuple] = []  # converted rows of the contracts to rewrite, then their pk
        outcomes: dict[str, Outcome] = {}
        creates: list[Prepared] = []
        relinked: list[tuple[int, Prepared]] = []  # updated contracts: their old links are replaced
        for item in items:
            stored = existing.get(item.uid)
            if stored is None:
                creates.append(item)
                continue
            sources = stored.sources if self.source in stored.sources else [*stored.sources, self.source]
            if stored.origin == ContractOrigin.DECP and stored.hash == item.hash:
                outcome = Outcome(Fate.UNCHANGED, stored.pk, "Identique à la version enregistrée.")
            elif stored.origin != ContractOrigin.DECP:
                outcome = self._update(
                    item, stored, sources, now, "Complète un marché connu du registre interne.", updates
                )
                relinked.append((stored.pk, item))
            elif item.key >= stored_keys[stored.pk]:
                outcome = self._update(
                    item, stored, sources, now, "Différent de la version enregistrée.", updates
                )
                relinked.append((stored.pk, item))
            else:
                outcome = Outcome(
                    Fate.DUPLICATE,
                    stored.pk,
                    "Version plus ancienne ou moins complète que celle déjà enregistrée "
                    f"(sources : {', '.join(stored.sources) or '—'}) : non appliquée.",
                )
            if outcome.fate != Fate.UPDATED and sources is not stored.sources:
                Contract.objects.filter(pk=stored.pk).update(sources=sources)
            outcomes[item.uid] = outcome

        estimate = self.estimate_end_dates
        added = convert(
            (self.source_name, ContractOrigin.DECP, [self.source]), _converters(connection.vendor).writer
        )
        insert_values(
            Contract,
            (*COLUMNS, *WRITER_COLUMNS, *END_DATE_COLUMNS),
            [item.values + added + (item.end_date if estimate else NO_END_DATE) for item in creates],
        )
        update_values(Contract, (*COLUMNS, *UPDATE_COLUMNS), updates)
        created = _pks_by_uid([item.uid for item in creates])
        linked: list[tuple[int, Prepared]] = []  # created contracts: no links to delete
        for item in creates:
            pk = created[item.uid]
            outcomes[item.uid] = Outcome(Fate.CREATED, pk)
            linked.append((pk, item))
        _link_suppliers(relinked, linked)
        return outcomes

    def _update(
        self, item: Prepared, stored: _Stored, sources: list[str], now: datetime, reason: str, updates: list
    ) -> Outcome:
        """Rewrite the DECP columns (never the direction nor the register's), in one executemany per chunk
        (`update_values`): bulk_update builds a CASE per column and row, quadratic. The time is set here:
        no auto_now outside the ORM's save."""
        added = (self.source_name, ContractOrigin.DECP, sources, now)
        updates.append(item.values + convert(added, _converters(connection.vendor).update) + (stored.pk,))
        return Outcome(Fate.UPDATED, stored.pk, reason, stored.hash, stored.updated_at)

    @staticmethod
    def _existing(uids: list[str]) -> dict[str, _Stored]:
        found: dict[str, _Stored] = {}
        for chunk in _chunks(uids):
            rows = Contract.objects.filter(uid__in=chunk).values_list(
                "uid", "pk", "content_hash", "origin", "sources", "updated_at"
            )
            for uid, pk, stored_hash, origin, sources, updated_at in rows:
                found[uid] = _Stored(pk, stored_hash, origin, list(sources or []), updated_at)
        return found

    @staticmethod
    def _stored_preferences(pks: list[int]) -> dict[int, Preference]:
        """The stored versions' keys, read only for the contracts whose content differs."""
        keys: dict[int, Preference] = {}
        has_suppliers = Exists(ContractSupplier.objects.filter(contract=OuterRef("pk")))
        for chunk in _chunks(pks):
            rows = (
                Contract.objects.filter(pk__in=chunk)
                .annotate(has_suppliers=has_suppliers)
                .values("pk", "has_suppliers", *PREFERENCE_COLUMNS)
            )
            for row in rows:
                keys[row["pk"]] = preference(row, has_suppliers=row["has_suppliers"])
        return keys


def _estimated_end_date(fields: dict[str, Any]) -> tuple[Any, bool]:
    """The columns `end_dates.estimate_end_dates` gives a new contract (same rule: notification + current
    duration, else the initial one; nothing when either is unknown)."""
    months = fields["current_duration_months"] or fields["duration_months"]
    notification = fields["notification_date"]
    if notification and months:
        return add_months(notification, months), True
    return NO_END_DATE


def _pks_by_uid(uids: list[str]) -> dict[str, int]:
    """One plain SELECT per 500 uids (the ORM's IN lookup prepares every value one by one)."""
    pks: dict[str, int] = {}
    if not uids:
        return pks
    quote, meta = connection.ops.quote_name, Contract._meta
    uid, pk = quote(meta.get_field("uid").column), quote(meta.pk.column)
    select = f"SELECT {uid}, {pk} FROM {quote(meta.db_table)} WHERE {uid} IN "
    with connection.cursor() as cursor:
        for chunk in _chunks(uids):
            cursor.execute(select + "(" + ", ".join(["%s"] * len(chunk)) + ")", chunk)
            pks.update(cursor.fetchall())
    return pks


def restore_updated_at(*, pk: int, updated_at: datetime) -> None:
    """A contract rewritten then brought back to its stored content within one import is unchanged."""
    Contract.objects.filter(pk=pk).update(updated_at=updated_at)


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _link_suppliers(relinked: list[tuple[int, Prepared]], created: list[tuple[int, Prepared]]) -> None:
    """Replace the supplier links of updated contracts (`relinked`) and link created ones (which have none
    yet); suppliers are upserted by (type, id)."""
    items = relinked + created
    if not items:
        return
    supplier_ids = upsert_suppliers(supplier for _pk, item in items for supplier in item.suppliers)
    for chunk in _chunks([pk for pk, _item in relinked]):
        ContractSupplier.objects.filter(contract_id__in=chunk).delete()
    links: dict[tuple[int, int], dict[str, int]] = {}
    for pk, item in items:
        for position, supplier in enumerate(item.suppliers):
            supplier_id = supplier_ids[supplier_key(supplier)]
            # A supplier listed twice on one contract is one link (the first position counts).
            link = {"contract_id": pk, "supplier_id": supplier_id, "position": position}
            links.setdefault((pk, supplier_id), link)
    insert_rows(ContractSupplier, links.values())


def upsert_suppliers(suppliers: Iterable[SupplierRecord]) -> dict[tuple[str, str], int]:
    """Supplier ids by (identifier type, identifier), creating the missing ones. A name is filled in when the
    stored supplier has none (the 2022 format carries no names; the 2019 format and SIRENE do)."""
    wanted: dict[tuple[str, str], SupplierRecord] = {}
    for supplier in suppliers:
        key = supplier_key(supplier)
        if key not in wanted or (supplier.name and not wanted[key].name):
            wanted[key] = supplier
    found = _existing_suppliers(list(wanted))
    Supplier.objects.bulk_create(
        (
            Supplier(
                identifier=s.identifier, identifier_type=s.identifier_type, siren=s.siren, name=s.name[:300]
            )
            for key, s in wanted.items()
            if key not in found
        ),
        batch_size=BATCH,
    )
    named = [
        Supplier(pk=found[key][0], name=s.name[:300])
        for key, s in wanted.items()
        if key in found and s.name and not found[key][1]
    ]
    Supplier.objects.bulk_update(named, ["name"], batch_size=BATCH)
    if len(found) == len(wanted):
        return {key: pk for key, (pk, _name) in found.items()}
    return {key: pk for key, (pk, _name) in _existing_suppliers(list(wanted)).items()}


def _existing_suppliers(keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
    wanted = set(keys)
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for chunk in _chunks(sorted({identifier for _type, identifier in keys})):
        rows = Supplier.objects.filter(identifier__in=chunk).values_list(
            "pk", "identifier_type", "identifier", "name"
        )
        for pk, identifier_type, identifier, name in rows:
            if (identifier_type, identifier) in wanted:
                found[(identifier_type, identifier)] = (pk, name)
    return found
