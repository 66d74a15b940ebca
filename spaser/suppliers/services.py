"""Writes for suppliers: SIRENE stock import, online enrichment, inclusive lists and the flags they give.

Each service is atomic where it writes and returns a summary; the commands print it in French.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from spaser.contracts.signals import notify_contracts_changed

from . import sirene
from .company_search import SOURCE as API_SOURCE
from .company_search import CompanySearchClient, cached_lookup, facts_from_result
from .enrichment import CompanyFacts, apply_facts
from .http import ApiUnreachable
from .inclusive import parse_inclusive_list
from .models import InclusiveSupplier, Supplier

CHUNK = 500
SIRET = "SIRET"

# --- SIRENE stock files ----------------------------------------------------------------------------------


@dataclass
class SireneFileSummary:
    path: str
    kind: str
    matched: int = 0  # rows kept (a known SIREN / SIRET, or every row with --all)


@dataclass
class SireneSummary:
    files: list[SireneFileSummary] = field(default_factory=list)
    known_suppliers: int = 0
    updated: int = 0
    created: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_sirene_files(*, paths: Iterable[str | Path], only_known: bool = True) -> SireneSummary:
    """Enrich suppliers from SIRENE stock files. Establishment files are read first (with `only_known=False`
    they create the suppliers of every establishment listed, for a pre-filtered extract), then legal-unit
    files, whose facts go to every supplier of the same SIREN."""
    opened = []
    for path in paths:
        kind, _rows = sirene.read_stock(Path(path), wanted=set())  # detect the kind; raises before any write
        opened.append((kind, Path(path)))
    opened.sort(key=lambda item: item[0] != sirene.ESTABLISHMENTS)
    summary = SireneSummary()
    now = timezone.now()
    with transaction.atomic():
        for kind, path in opened:
            file_summary = SireneFileSummary(path=str(path), kind=sirene.KIND_LABELS[kind])
            summary.files.append(file_summary)
            source = f"SIRENE ({sirene.KIND_LABELS[kind]})"
            if kind == sirene.ESTABLISHMENTS:
                _import_establishments(path, only_known, source, now, file_summary, summary)
            else:
                _import_units(path, source, now, file_summary, summary)
        summary.known_suppliers = Supplier.objects.count()
        refresh_inclusive_flags()
    notify_contracts_changed()  # supplier facts feed the supplier conditions of every perimeter
    return summary


def _import_establishments(path, only_known, source, now, file_summary, summary) -> None:
    known = set(Supplier.objects.filter(identifier_type=SIRET).values_list("identifier", flat=True))
    _kind, rows = sirene.read_stock(path, wanted=known if only_known else None)
    facts_by_siret: dict[str, CompanyFacts] = {}
    for siret, facts in rows:
        facts_by_siret[siret] = facts
    file_summary.matched = len(facts_by_siret)
    missing = [siret for siret in facts_by_siret if siret not in known]
    Supplier.objects.bulk_create(
        (Supplier(identifier=siret, identifier_type=SIRET, siren=siret[:9]) for siret in missing),
        batch_size=CHUNK,
    )
    summary.created += len(missing)
    sirets = list(facts_by_siret)
    for start in range(0, len(sirets), CHUNK):
        suppliers = Supplier.objects.filter(
            identifier_type=SIRET, identifier__in=sirets[start : start + CHUNK]
        )
        summary.updated += _save_facts(((s, facts_by_siret[s.identifier]) for s in suppliers), source, now)


def _import_units(path, source, now, file_summary, summary) -> None:
    known = set(Supplier.objects.exclude(siren="").values_list("siren", flat=True))
    _kind, rows = sirene.read_stock(path, wanted=known)
    facts_by_siren = dict(rows)
    file_summary.matched = len(facts_by_siren)
    sirens = list(facts_by_siren)
    for start in range(0, len(sirens), CHUNK):
        suppliers = Supplier.objects.filter(siren__in=sirens[start : start + CHUNK])
        summary.updated += _save_facts(((s, facts_by_siren[s.siren]) for s in suppliers), source, now)


def _save_facts(pairs: Iterable[tuple[Supplier, CompanyFacts]], source: str, now: datetime) -> int:
    updated = 0
    for supplier, facts in pairs:
        changed = apply_facts(supplier, facts, source=source, when=now)
        if changed:
            supplier.save(update_fields=changed)
            updated += 1
    return updated


# --- Online enrichment -----------------------------------------------------------------------------------


@dataclass
class EnrichSummary:
    candidates: int = 0
    asked: int = 0  # SIRENs asked to the API (or read from its cache)
    from_cache: int = 0
    updated: int = 0
    not_found: int = 0
    offline: bool = False
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def suppliers_to_enrich(*, limit: int | None = None):
    """French suppliers (with a SIREN) missing a name, a size or a location; never enriched ones first."""
    missing = Q(name="") | Q(size_category="") | Q(departement_code="") | Q(legal_category="")
    queryset = Supplier.objects.exclude(siren="").filter(missing).order_by("enriched_at", "pk")
    return queryset[:limit] if limit else queryset


def enrich_suppliers(
    *, online: bool = False, limit: int | None = None, client: CompanySearchClient | None = None
) -> EnrichSummary:
    """Fill the suppliers' facts from the company search API: with `online`, ask it (cached, rate-limited);
    without, use only answers already in the cache. Stops at the first network failure, keeping what was done,
    with a French message in `summary.message`."""
    summary = EnrichSummary()
    suppliers = list(suppliers_to_enrich(limit=limit))
    summary.candidates = len(suppliers)
    by_siren: dict[str, list[Supplier]] = {}
    for supplier in suppliers:
        by_siren.setdefault(supplier.siren, []).append(supplier)
    own_client = client is None and online
    if own_client:
        client = CompanySearchClient()
    try:
        for siren, group in by_siren.items():
            if online:
                hits_before = client.cache_hits
                try:
                    result = client.lookup(siren)
                except ApiUnreachable as error:
                    summary.offline = True
                    summary.message = (
                        f"{error} {summary.updated} titulaire(s) enrichi(s) avant l'interruption ; sans "
                        "connexion, `spaser enrich_suppliers` (sans --online) réutilise les réponses en "
                        "cache."
                    )
                    break
                summary.from_cache += client.cache_hits - hits_before
            else:
                result = cached_lookup(siren)
                summary.from_cache += result is not None
            summary.asked += 1
            if result is None:
                summary.not_found += 1
                continue
            now = timezone.now()
            with transaction.atomic():
                for supplier in group:
                    facts = facts_from_result(result, siret=supplier.identifier)
                    summary.updated += _save_facts([(supplier, facts)], API_SOURCE, now)
    finally:
        if own_client:
            client.close()
    notify_contracts_changed()  # supplier facts feed the supplier conditions of every perimeter
    return summary


# --- Inclusive lists -------------------------------------------------------------------------------------


@dataclass
class InclusiveSummary:
    source: str
    rows: int = 0
    imported: int = 0
    removed: int = 0  # entries of a previous version of the same list, absent from this one
    inactive: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)
    flagged_suppliers: int = 0  # suppliers holding an inclusive flag after the import
    changed_suppliers: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_inclusive_list(
    *, path: str | Path, kind: str = "auto", source: str = "", list_date: date | None = None
) -> InclusiveSummary:
    """Replace the entries of list `source` (the file name by default) with the file's, then recompute the
    suppliers' inclusive flags. A list is a snapshot: a structure that left it loses the flag."""
    path = Path(path)
    parsed = parse_inclusive_list(path, kind=kind)
    source = (source or path.name)[:200]
    summary = InclusiveSummary(
        source=source, rows=parsed.rows, inactive=parsed.inactive, refused=parsed.refused
    )
    entries = {(entry.siret, entry.kind): entry for entry in parsed.entries}
    with transaction.atomic():
        previous = InclusiveSupplier.objects.filter(source=source)
        summary.removed = len(set(previous.values_list("siret", "kind")) - set(entries))
        previous.delete()
        InclusiveSupplier.objects.bulk_create(
            (
                InclusiveSupplier(
                    siret=siret, siren=siret[:9], kind=kind_, source=source, list_date=list_date
                )
                for siret, kind_ in entries
            ),
            batch_size=CHUNK,
        )
        summary.imported = len(entries)
        summary.changed_suppliers = refresh_inclusive_flags()
    summary.flagged_suppliers = Supplier.objects.inclusive().count()
    notify_contracts_changed()  # supplier facts feed the supplier conditions of every perimeter
    return summary


def refresh_inclusive_flags() -> int:
    """Give each supplier the kind of the list entry with its SIRET; failing that, of an entry with its SIREN
    (an SIAE convention, an EA or ESAT agreement is held by the legal unit: its other establishments are the
    same structure). The most recent list wins a conflict. Returns how many suppliers changed."""
    by_siret: dict[str, InclusiveSupplier] = {}
    by_siren: dict[str, InclusiveSupplier] = {}
    for entry in InclusiveSupplier.objects.order_by("list_date", "pk"):  # later lists overwrite earlier ones
        by_siret[entry.siret] = entry
        by_siren[entry.siren] = entry
    changed = 0
    candidates = Supplier.objects.filter(~Q(siren="") | ~Q(inclusive_kind="") | ~Q(inclusive_source="")).only(
        "pk",
        "identifier",
        "identifier_type",
        "siren",
        "inclusive_kind",
        "inclusive_source",
        "inclusive_list_date",
    )
    for supplier in candidates.iterator(chunk_size=CHUNK):
        entry = by_siret.get(supplier.identifier) if supplier.identifier_type == SIRET else None
        rule = "SIRET"
        if entry is None and supplier.siren:
            entry, rule = by_siren.get(supplier.siren), "SIREN"
        kind = entry.kind if entry else ""
        label = f"{entry.source} (par {rule})"[:200] if entry else ""
        list_date = entry.list_date if entry else None
        if (supplier.inclusive_kind, supplier.inclusive_source) != (kind, label) or (
            entry and supplier.inclusive_list_date != list_date
        ):
            Supplier.objects.filter(pk=supplier.pk).update(
                inclusive_kind=kind, inclusive_source=label, inclusive_list_date=list_date
            )
            changed += 1
    return changed
