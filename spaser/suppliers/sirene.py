"""Streaming readers of the INSEE SIRENE stock files: `StockUniteLegale` (legal units) and
`StockEtablissement` (establishments), as CSV (plain, or zipped as INSEE publishes them) or Parquet.

The national files are several GB: rows are read one at a time (CSV) or in record batches (Parquet), and only
the rows whose SIREN / SIRET is wanted are turned into facts, so memory stays flat. Column names are INSEE's
(`siren`, `denominationUniteLegale`, `categorieEntreprise`, `economieSocialeSolidaireUniteLegale`,
`siret`, `codeCommuneEtablissement`…); the file kind is detected from its header.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Container, Iterator
from contextlib import contextmanager
from pathlib import Path

from .enrichment import CompanyFacts, clean_name, clean_size

UNITS, ESTABLISHMENTS = "unites_legales", "etablissements"
KIND_LABELS = {UNITS: "StockUniteLegale", ESTABLISHMENTS: "StockEtablissement"}
UNIT_COLUMNS = [
    "siren",
    "denominationUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "prenomUsuelUniteLegale",
    "prenom1UniteLegale",
    "categorieJuridiqueUniteLegale",
    "categorieEntreprise",
    "economieSocialeSolidaireUniteLegale",
]
ESTABLISHMENT_COLUMNS = ["siren", "siret", "codeCommuneEtablissement"]
PARQUET_BATCH = 100_000


class SireneError(ValueError):
    """The file is not a SIRENE stock file we can read; the message is French and names the file."""


def detect_kind(columns: Container[str], *, name: str) -> str:
    if "siret" in columns and "codeCommuneEtablissement" in columns:
        return ESTABLISHMENTS
    if "siren" in columns and "categorieJuridiqueUniteLegale" in columns and "siret" not in columns:
        return UNITS
    raise SireneError(
        f"{name} : ce n'est pas un fichier stock SIRENE (StockUniteLegale ou StockEtablissement) : colonnes "
        "« siren » et « categorieJuridiqueUniteLegale », ou « siret » et « codeCommuneEtablissement », "
        "absentes."
    )


def unit_facts(row: dict[str, str | None]) -> CompanyFacts:
    """A legal unit's facts. Individuals have no denomination: their name is first name + (usage) name."""
    name = clean_name(row.get("denominationUniteLegale"))
    if not name:
        first = row.get("prenomUsuelUniteLegale") or row.get("prenom1UniteLegale") or ""
        last = row.get("nomUsageUniteLegale") or row.get("nomUniteLegale") or ""
        name = clean_name(f"{first} {last}")
    ess = (row.get("economieSocialeSolidaireUniteLegale") or "").strip().upper()
    return CompanyFacts(
        siren=(row.get("siren") or "").strip(),
        name=name,
        legal_category=(row.get("categorieJuridiqueUniteLegale") or "").strip()[:4],
        size_category=clean_size(row.get("categorieEntreprise")),
        is_ess={"O": True, "N": False}.get(ess),  # absent = unknown, never no
    )


def establishment_facts(row: dict[str, str | None]) -> tuple[str, CompanyFacts]:
    siret = (row.get("siret") or "").strip()
    return siret, CompanyFacts(
        siren=siret[:9], commune_code=(row.get("codeCommuneEtablissement") or "").strip()
    )


@contextmanager
def _open_text(path: Path) -> Iterator[io.TextIOBase]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise SireneError(f"{path.name} : l'archive doit contenir exactement un fichier CSV.")
            with archive.open(members[0]) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield handle


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def read_stock(
    path: Path, *, wanted: Container[str] | None
) -> tuple[str, Iterator[tuple[str, CompanyFacts]]]:
    """(kind, iterator of (key, facts)): key = SIREN for legal units, SIRET for establishments. `wanted`
    (SIRENs or SIRETs) filters the rows before any work; None keeps every row."""
    path = Path(path)
    if not path.is_file():
        raise SireneError(f"{path} : fichier introuvable.")
    if _is_parquet(path):
        return _read_parquet(path, wanted)
    return _read_csv(path, wanted)


def _read_csv(path: Path, wanted: Container[str] | None) -> tuple[str, Iterator[tuple[str, CompanyFacts]]]:
    try:
        with _open_text(path) as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, zipfile.BadZipFile, csv.Error) as error:
        raise SireneError(
            f"{path.name} : fichier illisible ({error}). Attendu : un CSV UTF-8 de l'INSEE."
        ) from error
    kind = detect_kind(header, name=path.name)

    def rows() -> Iterator[tuple[str, CompanyFacts]]:
        key_column = "siren" if kind == UNITS else "siret"
        with _open_text(path) as handle:
            reader = csv.reader(handle)
            columns = next(reader)
            key_index = columns.index(key_column)
            for line, values in enumerate(reader, start=2):
                if len(values) <= key_index:
                    continue
                if wanted is not None and values[key_index] not in wanted:
                    continue  # the cheap test first: almost every row of a national file is skipped here
                if len(values) != len(columns):
                    raise SireneError(
                        f"{path.name}, ligne {line} : {len(values)} colonnes au lieu de {len(columns)}."
                    )
                row = dict(zip(columns, values, strict=True))
                yield (row["siren"], unit_facts(row)) if kind == UNITS else establishment_facts(row)

    return kind, rows()


def _read_parquet(
    path: Path, wanted: Container[str] | None
) -> tuple[str, Iterator[tuple[str, CompanyFacts]]]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise SireneError(f"{path.name} : fichier Parquet illisible ({error}).") from error
    names = set(parquet.schema_arrow.names)
    kind = detect_kind(names, name=path.name)
    columns = [c for c in (UNIT_COLUMNS if kind == UNITS else ESTABLISHMENT_COLUMNS) if c in names]
    key_column = "siren" if kind == UNITS else "siret"
    wanted_array = pa.array(sorted(wanted), type=pa.string()) if wanted is not None else None

    def rows() -> Iterator[tuple[str, CompanyFacts]]:
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH, columns=columns):
            table = pa.Table.from_batches([batch])
            # INSEE's Parquet types codes as strings; a re-export may have turned them into integers.
            table = table.set_column(
                table.schema.get_field_index(key_column), key_column, _as_code(table[key_column], key_column)
            )
            if wanted_array is not None:
                table = table.filter(pc.is_in(table[key_column], value_set=wanted_array))
            for row in table.to_pylist():
                text_row = {key: None if value is None else str(value) for key, value in row.items()}
                if kind == UNITS:
                    yield text_row["siren"], unit_facts(text_row)
                else:
                    yield establishment_facts(text_row)

    return kind, rows()


def _as_code(column, key_column: str):
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.cast(pa.string())
    width = 9 if key_column == "siren" else 14
    return pc.utf8_lpad(column.cast(pa.string()), width=width, padding="0")
