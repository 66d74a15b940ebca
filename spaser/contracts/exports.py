"""Exports of a filtered contract list: CSV (« ; », UTF-8 with BOM, decimal comma: what a French Excel
opens as numbers) and XLSX (openpyxl in write-only mode: memory stays flat on long lists).

Both stream rows from the database in chunks; the column list is shared, so both files say the same."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .cpv import cpv_label
from .models import Contract

CHUNK = 2000


def tri_state(value: bool | None) -> str:
    """True / False / None → « oui » / « non » / « inconnu » (unknown is never written as no)."""
    return "inconnu" if value is None else ("oui" if value else "non")


def _suppliers(contract: Contract) -> str:
    return " | ".join(
        " ".join(part for part in (link.supplier.identifier, link.supplier.name) if part)
        for link in contract.contract_suppliers.all()
    )


def _flags(contract: Contract) -> str:
    return " | ".join(
        flag.get("message", "") if isinstance(flag, dict) else str(flag)
        for flag in contract.quality_flags or []
    )


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Contract], Any]
    kind: str = "text"  # "text", "money", "int" or "date": how each format writes it
    width: int = 14


COLUMNS = [
    Column("Identifiant national (uid)", lambda c: c.uid, width=28),
    Column("SIRET de l'acheteur", lambda c: c.buyer_siret, width=17),
    Column("Identifiant acheteur", lambda c: c.contract_id, width=18),
    Column("Type", lambda c: c.get_kind_display()),
    Column("Objet", lambda c: c.object, width=60),
    Column("Nature", lambda c: c.nature),
    Column("Procédure", lambda c: c.procedure, width=28),
    Column("Code CPV", lambda c: c.cpv, width=11),
    Column("Libellé CPV", lambda c: cpv_label(c.cpv), width=40),
    Column("Accord-cadre", lambda c: "oui" if c.is_framework else "non"),
    Column("Date de notification", lambda c: c.notification_date, "date", 12),
    Column("Année de notification", lambda c: c.notification_year, "int", 10),
    Column("Date de publication", lambda c: c.publication_date, "date", 12),
    Column("Montant initial (€ HT)", lambda c: c.amount, "money", 16),
    Column("Montant actuel (€ HT)", lambda c: c.current_amount, "money", 16),
    Column("Durée initiale (mois)", lambda c: c.duration_months, "int", 10),
    Column("Durée actuelle (mois)", lambda c: c.current_duration_months, "int", 10),
    Column("Nombre de modifications", lambda c: len(c.modifications or []), "int", 10),
    Column("Considération sociale", lambda c: tri_state(c.has_social)),
    Column("Clause sociale", lambda c: tri_state(c.social_clause)),
    Column("Critère social", lambda c: tri_state(c.social_criterion)),
    Column("Marché réservé", lambda c: tri_state(c.reserved)),
    Column("Considération environnementale", lambda c: tri_state(c.has_environmental)),
    Column("Clause environnementale", lambda c: tri_state(c.environmental_clause)),
    Column("Critère environnemental", lambda c: tri_state(c.environmental_criterion)),
    Column("Titulaires", _suppliers, width=40),
    Column("Direction", lambda c: c.direction.name if c.direction else "", width=30),
    Column("Origine de l'attribution", lambda c: c.get_direction_source_display()),
    Column("Date de fin", lambda c: c.end_date, "date", 12),
    Column("Date de fin estimée", lambda c: ("oui" if c.end_date_estimated else "non") if c.end_date else ""),
    Column("Date limite de reconduction", lambda c: c.renewal_deadline, "date", 12),
    Column("Origine des données", lambda c: c.get_origin_display(), width=20),
    Column("Sources", lambda c: " | ".join(str(s) for s in c.sources or []), width=30),
    Column("Alertes qualité", _flags, width=60),
]
HEADERS = [column.header for column in COLUMNS]


def _rows(contracts: QuerySet) -> Iterator[Contract]:
    # iterator() with a chunk size keeps prefetch_related working, one chunk in memory at a time.
    return contracts.iterator(chunk_size=CHUNK)


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return f"{Decimal(value):.2f}".replace(".", ",")
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(contracts: QuerySet) -> Iterable[str]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(HEADERS)
    for contract in _rows(contracts):
        yield writer.writerow([_csv_value(column.value(contract), column.kind) for column in COLUMNS])


def csv_response(contracts: QuerySet, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(contracts)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


NUMBER_FORMATS = {"money": "#,##0.00", "date": "DD/MM/YYYY", "int": "0"}


def write_xlsx(contracts: QuerySet, handle) -> None:
    """Write the workbook to a binary file object."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Marchés")
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for contract in _rows(contracts):
        sheet.append([_xlsx_cell(sheet, column.value(contract), column.kind) for column in COLUMNS])
    workbook.save(handle)


def _xlsx_cell(sheet, value: Any, kind: str) -> Any:
    if value is None or kind == "text":
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


def xlsx_response(contracts: QuerySet, *, filename: str) -> FileResponse:
    # A spooled file: small lists stay in memory, long ones go to disk rather than filling the RAM.
    # No context manager: FileResponse closes it once sent.
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(contracts, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
