"""Reading an inclusive-supplier list (SIAE, EA, ESAT) into entries, every refused row reported with its line.

Two layouts, detected from the header (comma or semicolon, any case):
- the ASP convention export of SIAE: `siret,siren,kind,asp_id,is_active` (kind ACI/AI/EI/ETTI/EITI);
- a simple `siret;type` list (EA/ESAT lists of the DREETS or of a facilitator), `type` optional when the
  command gives `--kind EA` or `--kind ESAT`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from spaser.decp.tabular_files import french_csv_error
from spaser.decp.text import decode_text

from .identifiers import clean_siret
from .models import SIAE_KINDS

FORCED_KINDS = {"SIAE", "EA", "ESAT", "AUTO"}
KIND_ALIASES = {
    "ENTREPRISE ADAPTEE": "EA",
    "ENTREPRISE ADAPTÉE": "EA",
    "EA": "EA",
    "ESAT": "ESAT",
    "ETTI": "ETTI",
    "ACI": "ACI",
    "AI": "AI",
    "EI": "EI",
    "EITI": "EITI",
}
KIND_COLUMNS = ("kind", "type", "nature", "categorie", "catégorie")
FALSE_VALUES = {"false", "0", "non", "no", "f", "n"}


class InclusiveListError(ValueError):
    """The whole file cannot be read; the message is French and names the file."""


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    siret: str
    kind: str


@dataclass
class ParsedList:
    entries: list[Entry] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    inactive: int = 0
    rows: int = 0


def _decode(data: bytes, name: str) -> str:
    try:
        return decode_text(data)[0]
    except UnicodeDecodeError:
        raise InclusiveListError(f"{name} : encodage illisible (attendu UTF-8 ou Windows-1252).") from None


def parse_inclusive_list(path: Path, *, kind: str = "auto") -> ParsedList:
    path = Path(path)
    forced = kind.upper()
    if forced not in FORCED_KINDS:
        raise InclusiveListError(f"Type « {kind} » inconnu : indiquez SIAE, EA, ESAT ou auto.")
    try:
        text = _decode(path.read_bytes(), path.name)
    except OSError as error:
        raise InclusiveListError(f"{path} : fichier illisible ({error.strerror}).") from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        reader.fieldnames  # noqa: B018 - reads the header line, where the csv module may fail
    except csv.Error as error:
        raise InclusiveListError(
            f"{path.name}, ligne 1 : CSV illisible ({french_csv_error(error)})."
        ) from None
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    if "siret" not in header:
        raise InclusiveListError(
            f"{path.name} : colonne « siret » absente (colonnes lues : {', '.join(reader.fieldnames or [])})."
        )
    kind_column = next((header[name] for name in KIND_COLUMNS if name in header), None)
    if kind_column is None and forced in {"AUTO", "SIAE"}:
        raise InclusiveListError(
            f"{path.name} : colonne du type de structure (« kind » ou « type ») absente ; "
            "indiquez le type de toute la liste avec --kind EA ou --kind ESAT."
        )

    try:
        return _parse_rows(reader, header, kind_column, forced)
    except csv.Error as error:  # a cell beyond the csv module's size limit, an unclosed quote…
        raise InclusiveListError(
            # line_num counts the lines of the records read whole: the faulty one is the next
            f"{path.name}, ligne {reader.line_num + 1} : CSV illisible ({french_csv_error(error)})."
        ) from None


def _parse_rows(
    reader: csv.DictReader, header: dict[str, str], kind_column: str | None, forced: str
) -> ParsedList:
    active_column = header.get("is_active")
    parsed = ParsedList()
    for line, row in enumerate(reader, start=2):
        parsed.rows += 1
        if active_column and (row.get(active_column) or "").strip().lower() in FALSE_VALUES:
            parsed.inactive += 1
            continue
        raw_siret = (row.get(header["siret"]) or "").strip()
        siret = clean_siret(raw_siret)
        if siret is None:
            parsed.refused.append(
                (line, f"SIRET « {raw_siret[:40]} » invalide (14 chiffres, clé de contrôle)")
            )
            continue
        row_kind = _row_kind(row.get(kind_column) if kind_column else "", forced)
        if isinstance(row_kind, tuple):
            parsed.refused.append((line, row_kind[0]))
            continue
        parsed.entries.append(Entry(line=line, siret=siret, kind=row_kind))
    return parsed


def _row_kind(value: str | None, forced: str) -> str | tuple[str]:
    text = " ".join((value or "").split()).upper()
    if forced in {"EA", "ESAT"}:
        if text and KIND_ALIASES.get(text, text) != forced:
            return (f"type « {value} » contraire au type demandé ({forced})",)
        return forced
    kind = KIND_ALIASES.get(text)
    if kind is None:
        return (
            f"type de structure « {value or ''} » inconnu (attendu : ACI, AI, EI, ETTI, EITI, EA ou ESAT)",
        )
    if forced == "SIAE" and kind not in SIAE_KINDS:
        return (f"type « {value} » : ce n'est pas une SIAE",)
    return kind
