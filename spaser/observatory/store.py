"""The observatory's columnar store: national contracts as Parquet, in `settings.DATA_DIR / "observatory"`.

Layout (the contract between the observatory's parts, docs/observatory.md):
- `contracts/` — Parquet files, together the deduplicated national contracts (one row per `uid`), with the
  columns of `CONTRACT_SCHEMA`: the names of the Contract fields the indicator conditions read;
- `buyers.parquet` — one row per buyer SIREN (`BUYERS_SCHEMA`), its type among `BUYER_TYPES`;
- `indicators/<year>.parquet` — the indicators of every buyer (written by `compute_all`);
- `parts/` — what each ingested file gave, before deduplication (the ingest's own working data: see
  ingest.py); never read by the indicators.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
from django.conf import settings

BUYER_TYPES = {
    "departement": "Département",
    "region": "Région",
    "commune": "Commune",
    "intercommunalite": "Intercommunalité",
    "hopital": "Établissement public de santé",
    "etat": "État et ses établissements",
    "autre_public": "Autre organisme public",
    "autre": "Autre",
}
TYPE_SOURCES = {
    "categorie_juridique": "catégorie juridique INSEE de l'unité légale",
    "prefixe_siren": "règle de numérotation des SIREN des organismes publics",
    "inconnu": "inconnu (SIREN absent ou invalide)",
}

AMOUNT = pa.decimal128(18, 2)
TRI_STATE_FLAGS = (
    "has_social",
    "social_clause",
    "social_criterion",
    "reserved",
    "has_environmental",
    "environmental_clause",
    "environmental_criterion",
    "innovative",
    "subcontracting_declared",
    "advance_granted",
)
CONTRACT_SCHEMA = pa.schema(
    [
        ("uid", pa.string()),
        ("buyer_siret", pa.string()),
        ("buyer_siren", pa.string()),
        ("kind", pa.string()),
        ("nature", pa.string()),
        ("procedure", pa.string()),
        ("cpv", pa.string()),
        ("cpv_division", pa.string()),
        ("notification_date", pa.date32()),
        ("notification_year", pa.int16()),
        ("publication_date", pa.date32()),
        ("amount", AMOUNT),
        ("current_amount", AMOUNT),
        ("duration_months", pa.int32()),
        ("current_duration_months", pa.int32()),
        ("bids_received", pa.int32()),
        ("advance_rate", pa.float64()),
        ("is_framework", pa.bool_()),
        *((name, pa.bool_()) for name in TRI_STATE_FLAGS),
        ("supplier_count", pa.int16()),
        ("source", pa.string()),
    ]
)
CONTRACT_COLUMNS = tuple(CONTRACT_SCHEMA.names)
BUYERS_SCHEMA = pa.schema(
    [
        ("buyer_siren", pa.string()),
        ("name", pa.string()),
        ("buyer_type", pa.string()),
        ("type_source", pa.string()),
        ("contracts", pa.int64()),
    ]
)


class EmptyStore(Exception):
    """Nothing ingested yet (French message)."""


def root() -> Path:
    return Path(settings.DATA_DIR) / "observatory"


def contracts_dir() -> Path:
    return root() / "contracts"


def contracts_glob() -> str:
    return str(contracts_dir() / "*.parquet")


def parts_dir() -> Path:
    return root() / "parts"


def buyers_path() -> Path:
    return root() / "buyers.parquet"


def indicators_dir() -> Path:
    return root() / "indicators"


def indicators_path(year: int) -> Path:
    return indicators_dir() / f"{year}.parquet"


def has_contracts() -> bool:
    return any(contracts_dir().glob("*.parquet"))


def scan() -> pl.LazyFrame:
    """The deduplicated national contracts, lazily (polars). Raises EmptyStore when nothing was ingested."""
    if not has_contracts():
        raise EmptyStore(
            f"L'observatoire ne contient aucun marché (dossier « {contracts_dir()} » vide) : "
            "lancez d'abord « spaser observatory_ingest FICHIER… »."
        )
    return pl.scan_parquet(contracts_glob())


def scan_buyers() -> pl.LazyFrame:
    if not buyers_path().exists():
        raise EmptyStore(
            f"L'observatoire n'a pas de table des acheteurs (« {buyers_path()} » absent) : "
            "lancez d'abord « spaser observatory_ingest FICHIER… »."
        )
    return pl.scan_parquet(buyers_path())
