"""The tabular equivalent of bench/generate_national.py's JSON records, as the national consolidated data set
lays it out: one row per contract × supplier, "Sans objet" for "Pas de considération…", lists joined; written
as CSV cells or to Parquet in batches (pyarrow, imported only when Parquet is asked)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from spaser.demo.families import WORKS

if TYPE_CHECKING:
    from generate_national import Buyer

NO_SOCIAL, NO_ENVIRONMENTAL = "Pas de considération sociale", "Pas de considération environnementale"

TABULAR_COLUMNS = (
    "uid", "id", "nature", "acheteur_id", "acheteur_nom", "titulaire_id", "titulaire_typeIdentifiant",
    "titulaire_nom", "objet", "montant", "type", "codeCPV", "procedure", "techniques", "dureeMois",
    "offresRecues", "dateNotification", "datePublicationDonnees", "formePrix", "typesPrix",
    "attributionAvance", "tauxAvance", "marcheInnovant", "modalitesExecution", "considerationsSociales",
    "considerationsEnvironnementales", "ccag", "sousTraitanceDeclaree", "typeGroupementOperateurs",
    "lieuExecution_code", "lieuExecution_typeCode", "idAccordCadre", "acheteur_departement_code",
    "donneesActuelles", "sourceDataset",
)  # fmt: skip
INTEGER_COLUMNS = {"dureeMois", "offresRecues"}
FLOAT_COLUMNS = {"montant", "tauxAvance"}
BOOL_COLUMNS = {"attributionAvance", "marcheInnovant", "sousTraitanceDeclaree", "donneesActuelles"}
DATE_COLUMNS = {"dateNotification", "datePublicationDonnees"}
PARQUET_BATCH = 100_000


def _joined(record: dict, key: str, item: str, none: str = "") -> str | None:
    values = record.get(key, {}).get(item) if key in record else None
    if values is None:
        return None
    return ", ".join("Sans objet" if value in (none, "Sans objet") else value for value in values)


def tabular_rows(record: dict, buyer: Buyer) -> list[dict]:
    """The record as rows of the national consolidated tabular layout (one per supplier)."""
    concession = "autoriteConcedante" in record
    buyer_id = record["autoriteConcedante" if concession else "acheteur"]["id"]
    holders = record["concessionnaires" if concession else "titulaires"]
    key = "concessionnaire" if concession else "titulaire"
    base = {
        "uid": buyer_id + record["id"],
        "id": record["id"],
        "nature": record["nature"],
        "acheteur_id": buyer_id,
        "acheteur_nom": buyer.name,
        "objet": record["objet"],
        "montant": float(record["valeurGlobale" if concession else "montant"]),
        "type": None if concession else ("Travaux" if record["ccag"] == WORKS else "Services"),
        "codeCPV": record.get("codeCPV"),
        "procedure": record["procedure"],
        "techniques": _joined(record, "techniques", "technique"),
        "dureeMois": record["dureeMois"],
        "offresRecues": record.get("offresRecues"),
        "dateNotification": record["dateSignature" if concession else "dateNotification"],
        "datePublicationDonnees": record["datePublicationDonnees"],
        "formePrix": record.get("formePrix"),
        "typesPrix": _joined(record, "typesPrix", "typePrix"),
        "attributionAvance": record.get("attributionAvance"),
        "tauxAvance": record.get("tauxAvance"),
        "marcheInnovant": record.get("marcheInnovant"),
        "modalitesExecution": _joined(record, "modalitesExecution", "modaliteExecution"),
        "considerationsSociales": _joined(
            record, "considerationsSociales", "considerationSociale", NO_SOCIAL
        ),
        "considerationsEnvironnementales": _joined(
            record, "considerationsEnvironnementales", "considerationEnvironnementale", NO_ENVIRONMENTAL
        ),
        "ccag": record.get("ccag"),
        "sousTraitanceDeclaree": record.get("sousTraitanceDeclaree"),
        "typeGroupementOperateurs": record.get("typeGroupementOperateurs"),
        "lieuExecution_code": record.get("lieuExecution", {}).get("code"),
        "lieuExecution_typeCode": record.get("lieuExecution", {}).get("typeCode"),
        "idAccordCadre": None,
        "acheteur_departement_code": buyer.departement,
        "donneesActuelles": True,
        "sourceDataset": "generate_national",
    }
    rows = []
    for holder in holders:
        row = dict(base)
        row["titulaire_id"] = holder[key]["id"]
        row["titulaire_typeIdentifiant"] = holder[key]["typeIdentifiant"]
        row["titulaire_nom"] = f"ENTREPRISE {holder[key]['id'][:9]}"
        rows.append(row)
    return rows


def csv_cell(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _parquet_schema():
    import pyarrow as pa

    def kind(column: str):
        if column in INTEGER_COLUMNS:
            return pa.int64()
        if column in FLOAT_COLUMNS:
            return pa.float64()
        if column in BOOL_COLUMNS:
            return pa.bool_()
        if column in DATE_COLUMNS:
            return pa.date32()
        return pa.string()

    return pa.schema([(column, kind(column)) for column in TABULAR_COLUMNS])


class ParquetSink:
    def __init__(self, path: Path):
        import pyarrow.parquet as pq

        self.schema = _parquet_schema()
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.columns: dict[str, list] = {column: [] for column in TABULAR_COLUMNS}
        self.rows = 0

    def add(self, row: dict) -> None:
        for column, values in self.columns.items():
            value = row.get(column)
            if value is not None and column in DATE_COLUMNS:
                value = date.fromisoformat(value)
            values.append(value)
        self.rows += 1
        if self.rows >= PARQUET_BATCH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.table(self.columns, schema=self.schema))
            self.columns = {column: [] for column in TABULAR_COLUMNS}
            self.rows = 0

    def close(self) -> None:
        self.flush()
        self.writer.close()
