"""From a table and a mapping to parsed rows: each row's values by field, or its French errors.

An error names the line and the column as the user sees them in their spreadsheet:
« ligne 12, colonne « Date de fin » : « 31/02/2025 » n'est pas une date ».
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .mapping import FIELDS
from .tables import Table
from .values import CellError, cell_text, is_empty


@dataclass
class ParsedRow:
    line: int
    raw: dict[str, str]  # header → cell as text: JSON-safe, kept as the record's source
    values: dict[str, Any]  # field key → parsed value, only for filled cells
    errors: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors.append(f"ligne {self.line} : {message}")


def parse_rows(table: Table, *, mapping: dict[str, str], kind: str) -> list[ParsedRow]:
    """Blank lines are skipped (they are not rows); every other line gives one ParsedRow."""
    specs = [(spec, mapping[spec.key]) for spec in FIELDS[kind] if mapping.get(spec.key)]
    positions = {header: index for index, header in enumerate(table.headers)}
    parsed: list[ParsedRow] = []
    for index, row in enumerate(table.rows):
        if all(is_empty(cell) for cell in row):
            continue
        line = table.line_of(index)
        result = ParsedRow(
            line=line,
            raw={header: _raw_text(cell) for header, cell in zip(table.headers, row, strict=True)},
            values={},
        )
        for spec, header in specs:
            cell = row[positions[header]]
            if is_empty(cell):
                continue  # an empty cell is an absent value, whatever the field
            try:
                value = spec.parse(cell)
            except CellError as error:
                result.errors.append(f"ligne {line}, colonne « {header} » : {error}")
                continue
            if value is not None:
                result.values[spec.key] = value
        parsed.append(result)
    return parsed


def _raw_text(cell: Any) -> str:
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return str(cell)
    return cell_text(cell)
