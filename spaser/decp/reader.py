"""Open any DECP file, detect its format from its content (never from its extension), and stream its records.

Formats: 2019 JSON (schema 1.x), 2022 JSON (2.0.x), the XML forms of both, the national consolidated tabular
format as CSV or Parquet — each possibly wrapped in one .zip or .gz. `open_decp` reads only the start of the
file (and its end, to refuse a truncated file before anything is imported); iterating a `DecpFile` reads the
file again from its start and yields `ContractRecord | RejectedRecord` one at a time, in file order.

Here: format detection, JSON and XML. The tabular format (CSV, Parquet, API rows) is read in tabular_files.py;
`DecpFile` and the format names are in decp_file.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from spaser.core.uploads import describe_binary
from spaser.decp import json_stream, tabular, xml_stream
from spaser.decp.decp_file import (
    FORMAT_2019,
    FORMAT_2019_XML,
    FORMAT_2022,
    FORMAT_2022_XML,
    FORMAT_CSV,
    FORMAT_LABELS,
    FORMAT_PARQUET,
    FORMAT_ROWS,
    KINDS,
    SCHEMA_KINDS,
    VERSIONS,
    DecpFile,
    Record,
)
from spaser.decp.errors import DecpError, InvalidFile, TruncatedFile, UnsupportedFormat
from spaser.decp.normalise import kind_of_2019, parse_record
from spaser.decp.records import KIND_CONCESSION, KIND_MARCHE, Flag
from spaser.decp.schema import checker_for
from spaser.decp.source import Source, open_source
from spaser.decp.tabular_files import looks_tabular, open_csv, open_parquet, read_tabular_rows
from spaser.decp.text import decode_head, detect_encoding

PARQUET_MAGIC = b"PAR1"


def read_decp(path: str | Path, *, validate_schema: bool = False) -> Iterator[Record]:
    """Yield every record of a DECP file, in file order."""
    yield from open_decp(path, validate_schema=validate_schema)


def open_decp(path: str | Path, *, validate_schema: bool = True) -> DecpFile:
    """Detect the format of a file from its content. Raises a DecpError subclass with a French message."""
    source = open_source(path)
    head = source.head()
    if head.startswith(PARQUET_MAGIC):
        return open_parquet(source, validate_schema)
    description = describe_binary(head)
    if description:
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
    if looks_tabular(text):
        return open_csv(source, encoding, text, validate_schema)
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
