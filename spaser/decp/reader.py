"""Open a DECP file, detect its format, and yield normalised records (or rejections) one by one.

Only the 2022 JSON format is read in this version; the other formats are recognised and refused with a
French message that names what was found, so a user knows why and what to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from spaser.decp import v2022
from spaser.decp.errors import InvalidFile, UnsupportedFormat
from spaser.decp.records import ContractRecord, Flag, RejectedRecord
from spaser.decp.schema import SchemaChecker

FORMAT_LABELS = {v2022.FORMAT: "DECP 2022 (schéma 2.0.x, JSON)"}

UTF8_BOM = b"\xef\xbb\xbf"
TABULAR_SUFFIXES = {".csv": "CSV", ".parquet": "Parquet", ".xlsx": "Excel", ".xls": "Excel"}

Record = ContractRecord | RejectedRecord


@dataclass
class DecpFile:
    """A parsed DECP file: its format is known before any record is read."""

    path: Path
    format: str
    data: dict[str, Any]
    validate_schema: bool = False
    file_flags: tuple[Flag, ...] = ()
    _checker: SchemaChecker | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)

    def __iter__(self) -> Iterator[Record]:
        marches = self.data["marches"]
        position = 0
        for key, parse, kind in (
            ("marche", v2022.parse_marche, "marche"),
            ("contrat-concession", v2022.parse_concession, "contrat-concession"),
        ):
            items = marches.get(key)
            if items is None:
                continue
            if not isinstance(items, list):  # a file converted from XML may hold a single item
                items = [items]
            for item in items:
                position += 1
                yield self._finish(parse(item, position), kind)

    def _finish(self, record: Record, kind: str) -> Record:
        if isinstance(record, RejectedRecord):
            return record
        extra = list(self.file_flags)
        if self.validate_schema:
            if self._checker is None:
                self._checker = SchemaChecker()
            extra.extend(self._checker.check(record.raw, kind))
        return replace(record, flags=record.flags + tuple(extra)) if extra else record


def read_decp(path: str | Path, *, validate_schema: bool = False) -> Iterator[Record]:
    """Yield every record of a DECP file, in file order (contracts, then concessions)."""
    yield from open_decp(path, validate_schema=validate_schema)


def open_decp(path: str | Path, *, validate_schema: bool = False) -> DecpFile:
    """Read and parse a file, detect its format. Raises InvalidFile or UnsupportedFormat (French messages)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise InvalidFile(f"Fichier introuvable : « {path} ».") from None
    except IsADirectoryError:
        raise InvalidFile(f"« {path} » est un dossier, pas un fichier DECP.") from None
    except OSError as error:
        raise InvalidFile(f"Impossible de lire « {path} » : {error.strerror or error}.") from None

    content = content.removeprefix(UTF8_BOM)
    _refuse_non_json(path, content)
    data, file_flags = _parse_json(path, content)
    return DecpFile(
        path=path,
        format=detect_format(path, data),
        data=data,
        validate_schema=validate_schema,
        file_flags=file_flags,
    )


def _refuse_non_json(path: Path, content: bytes) -> None:
    suffix = path.suffix.lower()
    if content.startswith(b"PAR1") or suffix in TABULAR_SUFFIXES:
        kind = "Parquet" if content.startswith(b"PAR1") else TABULAR_SUFFIXES[suffix]
        raise UnsupportedFormat(
            f"« {path} » : format tabulaire national ({kind}) reconnu mais pas encore pris en charge. "
            "Seul le format JSON DECP 2022 (schéma 2.0.x) est importable pour l'instant."
        )
    if content.lstrip().startswith(b"<"):
        raise UnsupportedFormat(
            f"« {path} » : fichier XML reconnu mais pas encore pris en charge. "
            "Seul le format JSON DECP 2022 (schéma 2.0.x) est importable pour l'instant."
        )


def _parse_json(path: Path, content: bytes) -> tuple[Any, tuple[Flag, ...]]:
    """orjson first (fast). It refuses what real files contain and Python's json accepts: NaN literals and
    non-UTF-8 text (old exports in Windows-1252), so those files take the slow path instead of failing."""
    try:
        return orjson.loads(content), ()
    except orjson.JSONDecodeError:
        pass
    flags: tuple[Flag, ...] = ()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
        flags = (Flag("fichier_non_utf8", "Fichier non encodé en UTF-8, lu en Windows-1252.", ""),)
    try:
        return json.loads(text), flags
    except json.JSONDecodeError as error:
        raise InvalidFile(
            f"JSON invalide dans « {path} », ligne {error.lineno}, colonne {error.colno} : {error.msg}."
        ) from None
    except RecursionError:
        raise InvalidFile(f"JSON invalide dans « {path} » : imbrication trop profonde.") from None


def detect_format(path: Path, data: Any) -> str:
    name = str(path)
    if not isinstance(data, dict):
        raise UnsupportedFormat(
            f'« {name} » : la racine du JSON est {_describe(data)}, un objet {{"marches": …}} était attendu.'
        )
    if "marches" not in data:
        keys = ", ".join(f"« {key} »" for key in list(data)[:8]) or "aucune"
        raise UnsupportedFormat(f"« {name} » : clé « marches » absente (clés trouvées : {keys}).")
    marches = data["marches"]
    if isinstance(marches, list):
        raise UnsupportedFormat(
            f"« {name} » : format DECP 2019 (schéma 1.x, « marches » est une liste d'enregistrements avec "
            "« _type ») reconnu mais pas encore pris en charge. Seul le format DECP 2022 (schéma 2.0.x) "
            "est importable pour l'instant."
        )
    if isinstance(marches, dict) and ("marche" in marches or "contrat-concession" in marches):
        return v2022.FORMAT
    found = (
        ", ".join(f"« {key} »" for key in list(marches)[:8])
        if isinstance(marches, dict)
        else _describe(marches)
    )
    raise UnsupportedFormat(
        f"« {name} » : « marches » ne contient ni « marche » ni « contrat-concession » (trouvé : {found})."
    )


def _describe(value: Any) -> str:
    return {list: "une liste", str: "un texte", int: "un nombre", float: "un nombre", type(None): "null"}.get(
        type(value), type(value).__name__
    )
