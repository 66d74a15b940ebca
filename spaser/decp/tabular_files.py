"""The national consolidated tabular format: CSV (any delimiter and encoding), Parquet, and rows from the
open-data API. One row per contract × supplier; `tabular.group_rows` makes one record of consecutive rows."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from spaser.decp import tabular
from spaser.decp.decp_file import FORMAT_CSV, FORMAT_PARQUET, FORMAT_ROWS, DecpFile, Record
from spaser.decp.errors import InvalidFile, UnsupportedFormat
from spaser.decp.records import Flag, RejectedRecord
from spaser.decp.schema import table_fields
from spaser.decp.source import Source
from spaser.decp.text import FALLBACK_ERRORS

TABULAR_KEY_COLUMNS = frozenset({"uid", "acheteur_id", "titulaire_id"})


def looks_tabular(text: str) -> bool:
    header = text.split("\n", 1)[0]
    delimiter = _delimiter(header)
    columns = {column.strip().strip('"') for column in header.split(delimiter)}
    return len(columns & TABULAR_KEY_COLUMNS) >= 2 or ("id" in columns and "acheteur_id" in columns)


def _delimiter(header: str) -> str:
    return max((",", ";", "\t", "|"), key=header.count)


def open_csv(source: Source, encoding: str, text: str, validate_schema: bool) -> DecpFile:
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
        raise InvalidFile(
            # line_num counts the lines of the records read whole: the faulty one is the next
            f"CSV invalide dans « {decp.name} », ligne {reader.line_num + 1} : {french_csv_error(error)}."
        ) from None


def french_csv_error(error: csv.Error) -> str:
    """The csv module's errors, in French (the original in brackets when not known)."""
    message = str(error)
    if message.startswith("field larger than field limit"):
        return f"une cellule dépasse {csv.field_size_limit():_} caractères".replace("_", " ")
    if "NUL" in message:
        return "caractère nul (octet 0) dans une ligne"
    if "new-line character seen in unquoted field" in message:
        return "retour à la ligne inattendu hors guillemets"
    if message.startswith(("',' expected after '\"'", "unexpected end of data")):
        return "guillemets mal fermés"
    return f"ligne mal formée [{message}]"


def _errors(encoding: str) -> str:
    return FALLBACK_ERRORS if encoding.startswith("utf-8") else "replace"


def _with_file_flags(record: Record, decp: DecpFile) -> Record:
    if isinstance(record, RejectedRecord):
        return record
    extra = list(decp.file_flags)
    problems = [row.get("_probleme") for row in record.raw.get("lignes", ()) if row.get("_probleme")]
    extra.extend(Flag("ligne_mal_formee", f"Ligne mal formée : {problem}.", "") for problem in problems)
    return replace(record, flags=record.flags + tuple(extra)) if extra else record


def open_parquet(source: Source, validate_schema: bool) -> DecpFile:
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
                    # Column by column, then zipped into rows: the same dicts as `batch.to_pylist()`, faster.
                    names = batch.schema.names
                    for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                        position += 1
                        yield position, dict(zip(names, values, strict=True))
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
