"""Reading a register file into rows of cells: XLSX (python-calamine) or CSV (encoding and delimiter
detected).

`read_table(path, ...)` returns a `Table`: the sheet names (a workbook lists all; one is chosen), the
detected encoding and delimiter, the header row (found among the first rows, titles above it skipped) and
the data rows.
Anything that is not a readable table raises `TableError` with a French message naming the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from spaser.core.uploads import describe_binary
from spaser.decp.tabular_files import french_csv_error
from spaser.decp.text import decode_text

from .values import cell_text, is_empty

MAX_BYTES = 20 * 1024 * 1024  # files are read whole: registers and facilitator exports are far smaller
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a workbook is a zip: refuse one that inflates beyond this
MAX_ROWS = 50_000
HEADER_SCAN_ROWS = 20
DELIMITERS = ";,\t|"
FALLBACK_ENCODINGS = ("cp1252", "latin-1")  # when not UTF-8: Excel's French CSV, then every byte


class TableError(ValueError):
    """The file cannot be read as a table; the message is French, names the file and says why."""


@dataclass
class Table:
    name: str
    format: str  # "xlsx" or "csv"
    headers: list[str]
    rows: list[list[Any]]  # data rows, each as long as `headers`
    header_line: int  # 1-based line (or sheet row) of the header: data row i is on line header_line + 1 + i
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""

    def line_of(self, index: int) -> int:
        return self.header_line + 1 + index

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.headers, row, strict=True)) for row in self.rows]


def read_table(
    path: str | Path,
    *,
    name: str = "",
    sheet: str = "",
    encoding: str = "",
    delimiter: str = "",
    header_score: Callable[[list[str]], int] | None = None,
) -> Table:
    """`header_score(cells)` rates a candidate header row (e.g. how many cells are known column names); the
    best-rated of the first rows wins, otherwise the first row with two filled cells."""
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise TableError(f"Le fichier « {name} » est introuvable ou illisible.") from error
    if size == 0:
        raise TableError(f"Le fichier « {name} » est vide.")
    if size > MAX_BYTES:
        raise TableError(
            f"Le fichier « {name} » pèse {size // (1024 * 1024)} Mo : la limite est de "
            f"{MAX_BYTES // (1024 * 1024)} Mo. Découpez-le ou exportez seulement les colonnes utiles."
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        sheets, chosen, grid = _read_workbook(path, name, sheet)
        table_format, used_encoding, used_delimiter = "xlsx", "", ""
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(
            f"Le fichier « {name} » est au format Excel 97-2003 (.xls) : enregistrez-le en .xlsx ou en CSV."
        )
    elif describe_binary(head):
        raise TableError(
            f"Le fichier « {name} » est {describe_binary(head)}, quel que soit son nom : "
            "un classeur .xlsx ou un fichier .csv est attendu."
        )
    else:
        sheets, chosen = [], ""
        grid, used_encoding, used_delimiter = _read_csv(path, name, encoding, delimiter)
        table_format = "csv"
    header_index = _find_header(grid, header_score)
    if header_index is None:
        raise TableError(
            f"Le fichier « {name} » ne contient aucune ligne d'en-têtes (au moins deux colonnes)."
        )
    headers = _unique_headers(grid[header_index])
    width = len(headers)
    rows = []
    for row in grid[header_index + 1 :]:
        cells = (list(row) + [None] * width)[:width]
        rows.append(cells)
    while rows and all(is_empty(cell) for cell in rows[-1]):
        rows.pop()  # trailing blank lines of a spreadsheet are not rows
    if len(rows) > MAX_ROWS:
        raise TableError(f"Le fichier « {name} » compte {len(rows)} lignes : la limite est de {MAX_ROWS}.")
    return Table(
        name=name,
        format=table_format,
        headers=headers,
        rows=rows,
        header_line=header_index + 1,
        sheets=sheets,
        sheet=chosen,
        encoding=used_encoding,
        delimiter=used_delimiter,
    )


# --- Workbooks -------------------------------------------------------------------------------------------


def _read_workbook(path: Path, name: str, sheet: str) -> tuple[list[str], str, list[list[Any]]]:
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise TableError(
            f"Le fichier « {name} » n'est pas un classeur Excel lisible (archive abîmée)."
        ) from error
    if unzipped > MAX_UNZIPPED_BYTES:
        raise TableError(
            f"Le fichier « {name} » se décompresse en plus de {MAX_UNZIPPED_BYTES // (1024 * 1024)} Mo : "
            "refusé par précaution (archive anormale)."
        )
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = list(workbook.sheet_names)
        if not sheets:
            raise TableError(f"Le classeur « {name} » ne contient aucune feuille.")
        if sheet and sheet not in sheets:
            listed = ", ".join(f"« {s} »" for s in sheets)
            raise TableError(f"Le classeur « {name} » n'a pas de feuille « {sheet} » (feuilles : {listed}).")
        chosen = sheet or sheets[0]
        grid = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except CalamineError as error:
        raise TableError(f"Le fichier « {name} » n'est pas un classeur Excel lisible ({error}).") from error
    return sheets, chosen, [[None if cell == "" else cell for cell in row] for row in grid]


# --- CSV -------------------------------------------------------------------------------------------------


def _read_csv(path: Path, name: str, encoding: str, delimiter: str) -> tuple[list[list[Any]], str, str]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise TableError(
            f"Le fichier « {name} » n'est pas un fichier texte (CSV) ni un classeur .xlsx : contenu binaire."
        )
    text, used_encoding = _decode(data, name, encoding)
    used_delimiter = _delimiter(text, name, delimiter)
    try:
        grid = [
            [cell if cell.strip() else None for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=used_delimiter)
        ]
    except csv.Error as error:
        raise TableError(
            f"Le fichier « {name} » n'est pas un CSV lisible : {french_csv_error(error)}."
        ) from error
    return grid, used_encoding, used_delimiter


def _decode(data: bytes, name: str, encoding: str) -> tuple[str, str]:
    """BOM → UTF-8; valid UTF-8 → UTF-8; otherwise cp1252 (Excel's French CSV), Latin-1 as last resort for
    the five bytes cp1252 leaves undefined. A forced encoding that fails is an error, not a silent guess."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as error:
            raise TableError(f"Le fichier « {name} » ne se lit pas en {encoding} : {error}.") from error
    try:
        return decode_text(data, fallbacks=FALLBACK_ENCODINGS, trust_bom=True)
    except UnicodeDecodeError as error:  # pragma: no cover - latin-1 reads all
        raise TableError(f"Le fichier « {name} » n'a pas d'encodage reconnu.") from error


def _delimiter(text: str, name: str, delimiter: str) -> str:
    if delimiter:
        return "\t" if delimiter in {"\\t", "tab", "tabulation"} else delimiter
    sample = "\n".join(text[:16384].splitlines()[:30])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    # Sniffer gives up on ragged files: the character most frequent in the first non-blank lines wins.
    lines = [line for line in sample.splitlines() if line.strip()][:10]
    counts = {candidate: sum(line.count(candidate) for line in lines) for candidate in DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    if counts[best] == 0:
        raise TableError(
            f"Le fichier « {name} » n'a qu'une colonne : séparateur introuvable (attendu ; , ou tabulation)."
        )
    return best


# --- Header row ------------------------------------------------------------------------------------------


def _find_header(grid: list[list[Any]], header_score: Callable[[list[str]], int] | None) -> int | None:
    candidates = []
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        texts = [cell_text(cell) for cell in row if not is_empty(cell)]
        if len(texts) < 2:
            continue  # a title line or a blank line above the table
        score = header_score(texts) if header_score else 0
        candidates.append((score, -index, index))
    if not candidates:
        return None
    best = max(candidates)
    return best[2] if best[0] > 0 else min(index for _score, _minus, index in candidates)


def _unique_headers(row: list[Any]) -> list[str]:
    headers: list[str] = []
    for position, cell in enumerate(row, start=1):
        header = cell_text(cell) or f"Colonne {position}"
        if header in headers:
            header = f"{header} ({position})"
        headers.append(header)
    return headers
