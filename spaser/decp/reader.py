"""Open any DECP file, detect its format from its content (never from its extension), and stream its records.

Formats: 2019 JSON (schema 1.x), 2022 JSON (2.0.x), the XML forms of both, the national consolidated tabular
format as CSV or Parquet — each possibly wrapped in one .zip or .gz. `open_decp` reads only the start of the
file (and its end, to refuse a truncated file before anything is imported); iterating a `DecpFile` reads the
file again from its start and yields `ContractRecord | RejectedRecord` one at a time, in file order.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spaser.decp import json_stream, tabular, xml_stream
from spaser.decp.errors import DecpError, InvalidFile, TruncatedFile, UnsupportedFormat
from spaser.decp.normalise import kind_of_2019, parse_record
from spaser.decp.records import KIND_CONCESSION, KIND_MARCHE, ContractRecord, Flag, RejectedRecord
from spaser.decp.schema import checker_for, table_fields
from spaser.decp.source import Source, open_source
from spaser.decp.text import FALLBACK_ERRORS, decode_head, detect_encoding, fallback_count

FORMAT_2019 = "decp-2019"
FORMAT_2022 = "decp-2022"
FORMAT_2019_XML = "decp-2019-xml"
FORMAT_2022_XML = "decp-2022-xml"
FORMAT_CSV = "decp-tabular-csv"
FORMAT_PARQUET = "decp-tabular-parquet"
FORMAT_ROWS = "decp-tabular-api"
FORMAT_LABELS = {
    FORMAT_2019: "DECP 2019 (schéma 1.x, JSON)",
    FORMAT_2022: "DECP 2022 (schéma 2.0.x, JSON)",
    FORMAT_2019_XML: "DECP 2019 (schéma 1.x, XML)",
    FORMAT_2022_XML: "DECP 2022 (schéma 2.0.x, XML)",
    FORMAT_CSV: "format tabulaire national (CSV)",
    FORMAT_PARQUET: "format tabulaire national (Parquet)",
    FORMAT_ROWS: "format tabulaire national (API)",
}
VERSIONS = {FORMAT_2019: "2019", FORMAT_2022: "2022", FORMAT_2019_XML: "2019", FORMAT_2022_XML: "2022"}
KINDS = {"marche": KIND_MARCHE, "contrat-concession": KIND_CONCESSION}
SCHEMA_KINDS = {KIND_MARCHE: "marche", KIND_CONCESSION: "contrat-concession"}
PARQUET_MAGIC = b"PAR1"
BINARY_SIGNATURES = {
    b"%PDF": "un document PDF",
    b"\x89PNG": "une image PNG",
    b"\xff\xd8\xff": "une image JPEG",
    b"GIF8": "une image GIF",
    b"\xd0\xcf\x11\xe0": "un document Office ancien (.xls / .doc)",
}
TABULAR_KEY_COLUMNS = frozenset({"uid", "acheteur_id", "titulaire_id"})

Record = ContractRecord | RejectedRecord


@dataclass
class DecpFile:
    """A DECP file whose format is known; iterate it to stream its records (each iteration re-reads it).

    `warnings` collects file-level problems found while reading (French), e.g. bytes that were not UTF-8 or
    control characters removed from XML; `bytes_read` / `size` give the progress of the current iteration."""

    name: str
    format: str
    size: int | None = None
    encoding: str = ""
    validate_schema: bool = True
    warnings: list[str] = field(default_factory=list)
    source: Source | None = field(default=None, repr=False)
    _records: Callable[[DecpFile], Iterator[Record]] | None = field(default=None, repr=False)
    _bytes_read: int = field(default=0, repr=False)

    @property
    def path(self) -> Path | None:
        return self.source.path if self.source else None

    @property
    def bytes_read(self) -> int:
        return self.source.bytes_read if self.source else self._bytes_read

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)

    @property
    def file_flags(self) -> tuple[Flag, ...]:
        if self.encoding == "cp1252":
            return (Flag("fichier_non_utf8", "Fichier non encodé en UTF-8, lu en Windows-1252.", ""),)
        return ()

    def __iter__(self) -> Iterator[Record]:
        self.warnings.clear()
        before = fallback_count()
        assert self._records is not None
        yield from self._records(self)
        if self.source is not None and self.size:
            self.source.bytes_read = self.size  # an archive's directory, at its end, is never read
        fallback = fallback_count() - before
        if fallback:
            self.warnings.append(
                f"{fallback} octet(s) non UTF-8 lus en Windows-1252 dans « {self.name} » "
                "(fichier à l'encodage mixte)."
            )


def read_decp(path: str | Path, *, validate_schema: bool = False) -> Iterator[Record]:
    """Yield every record of a DECP file, in file order."""
    yield from open_decp(path, validate_schema=validate_schema)


def open_decp(path: str | Path, *, validate_schema: bool = True) -> DecpFile:
    """Detect the format of a file from its content. Raises a DecpError subclass with a French message."""
    source = open_source(path)
    head = source.head()
    if head.startswith(PARQUET_MAGIC):
        return _open_parquet(source, validate_schema)
    for signature, description in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise UnsupportedFormat(f"« {source.name} » est {description}, pas un fichier DECP.")
    encoding = detect_encoding(head)
    if b"\x00" in head and encoding != "utf-16":
        raise UnsupportedFormat(
            f"« {source.name} » a un contenu binaire : "
            "ce n'est pas un fichier DECP (JSON, XML, CSV ou Parquet)."
        )
    text = decode_head(head, encoding).lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        return _open_json(source, encoding, validate_schema)
    if text.startswith("<"):
        return _open_xml(source, head, validate_schema)
    if _looks_tabular(text):
        return _open_csv(source, encoding, text, validate_schema)
    sample = text[:40].replace("\n", " ")
    raise UnsupportedFormat(
        f"« {source.name} » n'est pas un fichier DECP reconnu : ni JSON, ni XML, ni CSV ou Parquet du format "
        f"tabulaire national (début du fichier : « {sample} »)."
    )


# -- JSON -----------------------------------------------------------------------------------------------


def _open_json(source: Source, encoding: str, validate_schema: bool) -> DecpFile:
    tail = source.tail()
    if tail is not None and not tail.rstrip(b" \t\r\n\x00").endswith((b"}", b"]")):
        raise TruncatedFile(
            f"« {source.name} » est tronqué : il ne se termine pas par « }} ». "
            "Téléchargez ou copiez le fichier à nouveau."
        )
    with source.open() as stream:
        events = json_stream.iter_json(stream, encoding=encoding, name=source.name)
        try:
            _event, layout = next(events)
        except StopIteration:
            raise UnsupportedFormat(f"« {source.name} » : clé « marches » absente.") from None
        finally:
            events.close()
    file_format = FORMAT_2019 if layout == json_stream.LAYOUT_LIST else FORMAT_2022
    return DecpFile(
        name=source.name,
        format=file_format,
        size=source.size,
        encoding=encoding,
        validate_schema=validate_schema,
        source=source,
        _records=_json_records,
    )


def _json_records(decp: DecpFile) -> Iterator[Record]:
    assert decp.source is not None
    version = VERSIONS[decp.format]
    checker = checker_for(version) if decp.validate_schema else None
    position = 0
    with decp.source.open() as stream:
        for container, raw in json_stream.iter_json(stream, encoding=decp.encoding, name=decp.name):
            if container == "layout":
                continue
            position += 1
            flags = list(decp.file_flags)
            kind = kind_of_2019(raw, flags) if container == "marches" else KINDS[container]
            if checker is not None and isinstance(raw, dict):
                flags.extend(checker.check(raw, SCHEMA_KINDS[kind]))
            yield parse_record(raw, position=position, kind=kind, source_format=decp.format, flags=flags)


# -- XML ------------------------------------------------------------------------------------------------


def _open_xml(source: Source, head: bytes, validate_schema: bool) -> DecpFile:
    tail = source.tail()
    if tail is not None and not tail.rstrip(b" \t\r\n\x00").endswith(b">"):
        raise TruncatedFile(
            f"« {source.name} » est tronqué : il ne se termine pas par une balise fermante. "
            "Téléchargez ou copiez le fichier à nouveau."
        )
    encoding = xml_stream.choose_encoding(head)
    version = "2022"
    with source.open() as stream:
        records = xml_stream.iter_xml(stream, encoding=encoding, name=source.name)
        try:
            for _tag, element in records:
                version = xml_stream.guess_version(element)
                break
        finally:
            records.close()
    return DecpFile(
        name=source.name,
        format=FORMAT_2019_XML if version == "2019" else FORMAT_2022_XML,
        size=source.size,
        encoding=encoding,
        validate_schema=validate_schema,
        source=source,
        _records=_xml_records,
    )


def _xml_records(decp: DecpFile) -> Iterator[Record]:
    assert decp.source is not None
    version = VERSIONS[decp.format]
    cleaners: list[xml_stream.CleanXml] = []
    position = 0
    with decp.source.open() as stream:
        for tag, element in xml_stream.iter_xml(
            stream, encoding=decp.encoding, name=decp.name, cleaner_out=cleaners
        ):
            position += 1
            flags = list(decp.file_flags)
            if decp.validate_schema:
                flags.extend(xml_stream.check_xsd(element, version))
            raw = xml_stream.element_to_dict(element)
            yield parse_record(
                raw, position=position, kind=KINDS[tag], source_format=decp.format, flags=flags
            )
    if cleaners and cleaners[0].removed:
        decp.warnings.append(
            f"{cleaners[0].removed} caractère(s) de contrôle interdits en XML retirés de « {decp.name} »."
        )


# -- tabular --------------------------------------------------------------------------------------------


def _looks_tabular(text: str) -> bool:
    header = text.split("\n", 1)[0]
    delimiter = _delimiter(header)
    columns = {column.strip().strip('"') for column in header.split(delimiter)}
    return len(columns & TABULAR_KEY_COLUMNS) >= 2 or ("id" in columns and "acheteur_id" in columns)


def _delimiter(header: str) -> str:
    return max((",", ";", "\t", "|"), key=header.count)


def _open_csv(source: Source, encoding: str, text: str, validate_schema: bool) -> DecpFile:
    header = text.split("\n", 1)[0].rstrip("\r")
    return DecpFile(
        name=source.name,
        format=FORMAT_CSV,
        size=source.size,
        encoding=encoding,
        validate_schema=validate_schema,
        source=source,
        _records=lambda decp: _csv_records(decp, _delimiter(header)),
    )


def _csv_records(decp: DecpFile, delimiter: str) -> Iterator[Record]:
    assert decp.source is not None
    with decp.source.open() as stream:
        text = io.TextIOWrapper(stream, encoding=decp.encoding, errors=_errors(decp.encoding), newline="")
        reader = csv.reader(text, delimiter=delimiter)
        rows = _csv_rows(reader, decp)
        for record in tabular.group_rows(
            rows, source_format=decp.format, validate_schema=decp.validate_schema
        ):
            yield _with_file_flags(record, decp)


def _csv_rows(reader: Any, decp: DecpFile) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        header = [column.strip().lstrip("\ufeff") for column in next(reader)]
        known = table_fields()
        unknown = [column for column in header if column not in known]
        if unknown:
            decp.warnings.append(
                "Colonnes inconnues du format tabulaire, conservées telles quelles : "
                f"{', '.join(unknown[:10])}."
            )
        width = len(header)
        for position, cells in enumerate(reader, start=1):
            if not cells:
                continue
            row = dict(zip(header, cells, strict=False))
            if len(cells) != width:
                row["_probleme"] = f"ligne {reader.line_num} : {len(cells)} colonne(s) au lieu de {width}" + (
                    " (fichier tronqué ?)" if len(cells) < width else ""
                )
            yield position, row
    except csv.Error as error:
        raise InvalidFile(f"CSV invalide dans « {decp.name} », ligne {reader.line_num} : {error}.") from None


def _errors(encoding: str) -> str:
    return FALLBACK_ERRORS if encoding.startswith("utf-8") else "replace"


def _with_file_flags(record: Record, decp: DecpFile) -> Record:
    if isinstance(record, RejectedRecord):
        return record
    extra = list(decp.file_flags)
    problems = [row.get("_probleme") for row in record.raw.get("lignes", ()) if row.get("_probleme")]
    extra.extend(Flag("ligne_mal_formee", f"Ligne mal formée : {problem}.", "") for problem in problems)
    return replace(record, flags=record.flags + tuple(extra)) if extra else record


def _open_parquet(source: Source, validate_schema: bool) -> DecpFile:
    import pyarrow.parquet as pq

    try:
        with _parquet_path(source) as path:
            metadata = pq.ParquetFile(path).metadata
            columns = set(metadata.schema.names)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise InvalidFile(f"« {source.name} » : Parquet illisible ou tronqué ({error}).") from None
    if len(columns & TABULAR_KEY_COLUMNS) < 2:
        listed = ", ".join(sorted(columns)[:8])
        raise UnsupportedFormat(
            f"« {source.name} » : fichier Parquet sans les colonnes du format tabulaire national "
            f"(uid, acheteur_id, titulaire_id) ; colonnes trouvées : {listed}."
        )
    return DecpFile(
        name=source.name,
        format=FORMAT_PARQUET,
        size=source.size,
        validate_schema=validate_schema,
        source=source,
        _records=_parquet_records,
    )


class _parquet_path:
    """pyarrow needs a seekable file: an archived Parquet is inflated (with the archive limits) to a
    temporary file."""

    def __init__(self, source: Source):
        self.source = source
        self.temporary: Any = None

    def __enter__(self) -> str:
        if not self.source.wrapper:
            return str(self.source.path)
        self.temporary = tempfile.NamedTemporaryFile(suffix=".parquet")
        with self.source.open() as stream:
            shutil.copyfileobj(stream, self.temporary)
        self.temporary.flush()
        return self.temporary.name

    def __exit__(self, *exc: object) -> None:
        if self.temporary is not None:
            self.temporary.close()


def _parquet_records(decp: DecpFile) -> Iterator[Record]:
    import pyarrow.parquet as pq

    source = decp.source
    assert source is not None

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with _parquet_path(source) as path:
            try:
                parquet = pq.ParquetFile(path)
                total = parquet.metadata.num_rows or 1
                position = 0
                for batch in parquet.iter_batches(batch_size=5_000):
                    for row in batch.to_pylist():
                        position += 1
                        yield position, row
                    source.bytes_read = int((source.size or 0) * position / total)
            except (OSError, ValueError) as error:
                raise InvalidFile(f"« {decp.name} » : Parquet illisible ou tronqué ({error}).") from None

    yield from tabular.group_rows(rows(), source_format=decp.format, validate_schema=decp.validate_schema)


def read_tabular_rows(
    rows: Iterable[Mapping[str, Any]], *, name: str, validate_schema: bool = True
) -> DecpFile:
    """Rows of the national tabular format from elsewhere (the open-data API), one per contract × supplier.

    The rows are iterated once, when the DecpFile is iterated (a generator of API pages is fine)."""

    def records(decp: DecpFile) -> Iterator[Record]:
        def numbered() -> Iterator[tuple[int, Mapping[str, Any]]]:
            for position, row in enumerate(rows, start=1):
                decp._bytes_read = position
                yield position, row

        yield from tabular.group_rows(
            numbered(), source_format=FORMAT_ROWS, validate_schema=decp.validate_schema
        )

    return DecpFile(name=name, format=FORMAT_ROWS, validate_schema=validate_schema, _records=records)


# -- one record again (a corrected quarantined record) ---------------------------------------------------


def open_decp_record(raw: Any, *, format: str, position: int = 0, validate_schema: bool = True) -> Record:
    """Read one raw record again, as the reader of `format` would have (schema flags included)."""
    if format not in FORMAT_LABELS:
        raise UnsupportedFormat(f"Format inconnu : « {format} ».")
    if format in (FORMAT_CSV, FORMAT_PARQUET, FORMAT_ROWS):
        rows = raw.get("lignes") if isinstance(raw, dict) and "lignes" in raw else [raw]
        if not rows or not all(isinstance(row, Mapping) for row in rows):
            raise InvalidFile(
                "Enregistrement tabulaire illisible : une ou plusieurs lignes (objets) attendues."
            )
        return tabular.record_from_version(
            [(position, row) for row in rows], source_format=format, validate_schema=validate_schema
        )
    flags: list[Flag] = []
    version = VERSIONS[format]
    if version == "2019":
        kind = kind_of_2019(raw, flags)
    else:
        concession_fields = ("autoriteConcedante", "concessionnaires", "valeurGlobale")
        kind = (
            KIND_CONCESSION
            if isinstance(raw, dict) and any(key in raw for key in concession_fields)
            else KIND_MARCHE
        )
    if validate_schema and isinstance(raw, dict):
        if format in (FORMAT_2019_XML, FORMAT_2022_XML):
            element = xml_stream.dict_to_element(SCHEMA_KINDS[kind], raw)
            flags.extend(xml_stream.check_xsd(element, version))
        else:
            flags.extend(checker_for(version).check(raw, SCHEMA_KINDS[kind]))
    return parse_record(raw, position=position, kind=kind, source_format=format, flags=flags)


__all__ = [
    "FORMAT_LABELS",
    "DecpError",
    "DecpFile",
    "open_decp",
    "open_decp_record",
    "read_decp",
    "read_tabular_rows",
]
