"""The formats a DECP file can have, and `DecpFile`: a file whose format is known, iterated to stream its
records. Shared by the readers of every format (reader.py: detection, JSON, XML; tabular_files.py: CSV,
Parquet, API rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spaser.decp.records import KIND_CONCESSION, KIND_MARCHE, ContractRecord, Flag, RejectedRecord
from spaser.decp.source import Source
from spaser.decp.text import fallback_count

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
